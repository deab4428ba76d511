/**
 * The invoice-jobs queue: one customer period to close, sent by the invoice run (hourly, or
 * `billflow invoices run`), read by close-billing-period.
 */
import { z } from 'zod';
import { isBillingPeriod } from '#domain/period.ts';
import type { InvoiceJob } from '#use-cases/close-billing-period.ts';
import { queueMessage } from './queue-message.ts';

const instant = z.iso.datetime({ offset: true });

export const invoiceJobMessage = queueMessage<InvoiceJob>(
  'invoice job',
  z.object({
    customerId: z.string().min(1),
    period: z.string().refine(isBillingPeriod, 'period must be YYYY-MM'),
    asOf: instant,
    periodNamed: z.boolean().optional(),
    ingestSettledAt: instant.optional(),
  }),
);
