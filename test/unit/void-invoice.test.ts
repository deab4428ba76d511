/** Voiding counts InvoicesVoided in CloudWatch (SDK mocked: no CloudWatch emulator exists here). */
import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchBusinessMetrics } from '#adapters/cloudwatch/cloudwatch-metrics.ts';
import { voidInvoice } from '#use-cases/void-invoice.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import type { IssuedInvoices } from '#ports/invoice-repository.ts';
import { noOutboundEvents } from '#ports/outbound-events.ts';

const voided = { number: 'ACME-2026-000007', status: 'void', currency: 'EUR' } as Invoice;
const invoices: Pick<IssuedInvoices, 'update'> = { update: async () => ({ invoice: voided, changed: true }) };

describe('voidInvoice', () => {
  it('publishes InvoicesVoided with the currency in the Billflow namespace', async () => {
    // Prepare
    const cloudwatch = mockClient(CloudWatchClient);
    cloudwatch.on(PutMetricDataCommand).resolves({});

    // Act
    const result = await voidInvoice('ACME-2026-000007', 'duplicate', {
      invoices,
      metrics: new CloudWatchBusinessMetrics(new CloudWatchClient({ region: 'eu-central-1' })),
      now: () => 0,
      outbound: noOutboundEvents,
    });

    // Assess
    expect(result).toEqual({ invoice: voided });
    const [call] = cloudwatch.commandCalls(PutMetricDataCommand);
    expect(call?.args[0].input).toEqual({
      Namespace: 'Billflow',
      MetricData: [
        {
          MetricName: 'InvoicesVoided',
          Value: 1,
          Unit: 'Count',
          Dimensions: [
            { Name: 'service', Value: 'billflow' },
            { Name: 'currency', Value: 'EUR' },
          ],
        },
      ],
    });
  });

  it('keeps the invoice void and reports the error when the metric cannot be published', async () => {
    // Prepare
    const cloudwatch = mockClient(CloudWatchClient);
    cloudwatch.on(PutMetricDataCommand).rejects(new Error('AccessDenied: cloudwatch:PutMetricData'));

    // Act
    const result = await voidInvoice('ACME-2026-000007', 'duplicate', {
      invoices,
      metrics: new CloudWatchBusinessMetrics(new CloudWatchClient({ region: 'eu-central-1' })),
      now: () => 0,
      outbound: noOutboundEvents,
    });

    // Assess
    expect(result).toEqual({ invoice: voided, metricError: 'AccessDenied: cloudwatch:PutMetricData' });
  });
});
