/**
 * One schema per queue message, used by its producer (serialize) and its consumer (parse):
 * what a producer sends, the consumer reads back as the same value; what no consumer could read
 * is refused on both sides with the field to fix.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MalformedMessageError } from '#messages/queue-message.ts';
import { invoiceJobMessage } from '#messages/invoice-job.ts';
import { deliveredDocument } from '#messages/invoice-number.ts';
import { renderRequestMessage } from '#messages/render-request.ts';
import { sendRequestMessage } from '#messages/send-request.ts';
import { paymentEventMessage } from '#messages/payment-event.ts';
import { startInvoiceRun } from '#use-cases/start-invoice-run.ts';
import type { InvoiceJob } from '#use-cases/close-billing-period.ts';
import type { CatalogRepository } from '#ports/catalog-repository.ts';
import { proCustomer } from '#test-support/invoicing-catalog.ts';

const roundTrip = <T>(message: { serialize(value: T): string; parse(body: string): T }, value: T) =>
  message.parse(message.serialize(value));

describe('the invoice job message', () => {
  it('reads back every field a run by hand sets: asOf, ingestSettledAt and periodNamed, in a past month and at a month end', () => {
    const job: InvoiceJob = {
      customerId: 'cus_42',
      period: '2024-02',
      asOf: '2024-03-01T02:00:00.000Z',
      periodNamed: true,
      ingestSettledAt: '2024-02-29T23:59:59.999Z',
    };
    expect(roundTrip(invoiceJobMessage, job)).toEqual(job);
  });

  it('reads back the jobs the invoice run produces, for any run instant, past or future', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-12-31T23:59:59Z'), noInvalidDate: true }),
        fc.option(fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-12-31T23:59:59Z'), noInvalidDate: true }), {
          nil: undefined,
        }),
        fc.boolean(),
        async (asOf, settled, named) => {
          const sent: InvoiceJob[] = [];
          await startInvoiceRun(
            asOf.getTime(),
            {
              catalog: { version: async () => 'v1', listCustomers: async () => [proCustomer('cus_a')] } as unknown as CatalogRepository,
              invoices: { listOpenDrafts: async () => [{ customerId: 'cus_b', billingPeriod: '2019-12' }] },
              runs: { customersEnqueued: async () => undefined, recordCustomersEnqueued: async () => undefined },
              enqueue: async (jobs) => {
                sent.push(...jobs);
                return { failed: 0 };
              },
            },
            { periodNamed: named, ...(settled === undefined ? {} : { ingestSettledAt: settled.getTime() }) },
          );
          expect(sent).toHaveLength(2);
          for (const job of sent) expect(roundTrip(invoiceJobMessage, job)).toEqual(job);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('refuses to send a job no consumer could read, naming the field', () => {
    const job = { customerId: 'cus_42', period: '2026-13', asOf: '2026-12-01T02:00:00Z' };
    expect(() => invoiceJobMessage.serialize(job)).toThrow(MalformedMessageError);
    expect(() => invoiceJobMessage.serialize(job)).toThrow(/period: period must be YYYY-MM/);
    expect(() => invoiceJobMessage.serialize({ ...job, period: '2026-11', asOf: 'yesterday' })).toThrow(/asOf/);
  });

  it('refuses a received body that is not JSON, or misses a field, with what is wrong', () => {
    expect(() => invoiceJobMessage.parse('not json')).toThrow(/the body is not JSON .*send the invoice job as a JSON object/);
    expect(() => invoiceJobMessage.parse(JSON.stringify({ period: '2026-11', asOf: '2026-12-01T02:00:00Z' }))).toThrow(/customerId/);
  });
});

describe('the delivery messages', () => {
  for (const message of [renderRequestMessage, sendRequestMessage]) {
    it(`${message.name}: an invoice number reads back as itself`, () => {
      fc.assert(
        fc.property(fc.string({ minLength: 1 }), (number) => {
          expect(roundTrip(message, { number })).toEqual({ number });
        }),
      );
    });

    it(`${message.name}: an empty or missing number is refused on both sides`, () => {
      expect(() => message.serialize({ number: '' })).toThrow(MalformedMessageError);
      expect(() => message.parse('{}')).toThrow(/number/);
      expect(() => message.parse('[')).toThrow(MalformedMessageError);
    });

    it(`${message.name}: a message without a document (as before credit notes) is for an invoice; a credit note says so`, () => {
      expect(deliveredDocument(message.parse('{"number":"ACME-2026-000001"}'))).toBe('invoice');
      const creditNote = roundTrip(message, { number: 'ACME-CN-2026-000001', document: 'credit_note' });
      expect(deliveredDocument(creditNote)).toBe('credit_note');
      expect(() => message.parse('{"number":"ACME-2026-000001","document":"receipt"}')).toThrow(/document/);
    });
  }
});

describe('the payment event message', () => {
  it('a Stripe event id reads back as itself', () => {
    expect(roundTrip(paymentEventMessage, { eventId: 'evt_1PqRsT2eZvKYlo2C' })).toEqual({ eventId: 'evt_1PqRsT2eZvKYlo2C' });
  });

  it('refuses a message without an event id', () => {
    expect(() => paymentEventMessage.parse(JSON.stringify({ id: 'evt_1' }))).toThrow(/eventId/);
    expect(() => paymentEventMessage.serialize({ eventId: '' })).toThrow(MalformedMessageError);
  });
});
