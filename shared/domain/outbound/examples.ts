/**
 * One example of each outbound event, as the README's event catalogue shows it: the README
 * section is generated from these (test/unit/outbound-events.test.ts compares), so the docs
 * cannot drift from the types. Amounts in minor units.
 */
import type { InvoiceSummary, OutboundEventType, AnyOutboundFact } from './catalogue.ts';
import { envelopeOf, outboundSource, type OutboundEnvelope } from './envelope.ts';

const finalized: InvoiceSummary = {
  number: 'ACME-2026-000042',
  customerId: 'cus_42',
  billingPeriod: '2026-11',
  period: { start: '2026-11-01T00:00:00.000Z', end: '2026-12-01T00:00:00.000Z' },
  status: 'finalized',
  paymentStatus: 'unpaid',
  deliveryStatus: 'pending',
  currency: 'EUR',
  issueDate: '2026-12-01',
  dueDate: '2026-12-31',
  netTotal: 15900,
  taxTotal: 3180,
  total: 19080,
  amountPaid: 0,
  amountDue: 19080,
  creditedAmount: 0,
};

const sent: InvoiceSummary = { ...finalized, deliveryStatus: 'sent' };

const examples: { readonly [Type in OutboundEventType]: Extract<AnyOutboundFact, { type: Type }> } = {
  'invoice.drafted': {
    type: 'invoice.drafted',
    key: ['cus_42', '2026-11'],
    subject: 'cus_42',
    time: '2026-12-01T00:05:00.000Z',
    data: { invoice: { ...finalized, number: null, status: 'draft', issueDate: null, dueDate: null } },
  },
  'invoice.finalized': {
    type: 'invoice.finalized',
    key: ['ACME-2026-000042'],
    subject: 'cus_42',
    time: '2026-12-01T02:00:00.000Z',
    data: { invoice: finalized },
  },
  'invoice.delivered': {
    type: 'invoice.delivered',
    key: ['ACME-2026-000042', '0100019a-example'],
    subject: 'cus_42',
    time: '2026-12-01T02:00:07.000Z',
    data: { invoice: sent, messageId: '0100019a-example', sentAt: '2026-12-01T02:00:07.000Z' },
  },
  'invoice.delivery_failed': {
    type: 'invoice.delivery_failed',
    key: ['ACME-2026-000042', 'bounce', '0100019a-example'],
    subject: 'cus_42',
    time: '2026-12-01T02:01:00.000Z',
    data: { invoice: { ...finalized, deliveryStatus: 'bounced' }, kind: 'bounce', detail: 'Permanent/General: mailbox does not exist' },
  },
  'invoice.payment_status_changed': {
    type: 'invoice.payment_status_changed',
    key: ['ACME-2026-000042', 'evt_3Q0example', 'paid'],
    subject: 'cus_42',
    time: '2026-12-10T09:30:00.000Z',
    data: {
      invoice: { ...sent, paymentStatus: 'paid', amountPaid: 19080, amountDue: 0 },
      previousStatus: 'unpaid',
      paymentStatus: 'paid',
    },
  },
  'invoice.overdue': {
    type: 'invoice.overdue',
    key: ['ACME-2026-000042', '3'],
    subject: 'cus_42',
    time: '2027-01-03T06:00:00.000Z',
    data: { invoice: sent, stage: 3, daysOverdue: 3 },
  },
  'invoice.voided': {
    type: 'invoice.voided',
    key: ['ACME-2026-000042'],
    subject: 'cus_42',
    time: '2026-12-01T02:00:03.000Z',
    data: { invoice: { ...finalized, status: 'void' }, reason: 'wrong customer address' },
  },
  'credit_note.issued': {
    type: 'credit_note.issued',
    key: ['ACME-CN-2026-000001'],
    subject: 'cus_42',
    time: '2026-12-05T10:00:00.000Z',
    data: {
      creditNote: {
        number: 'ACME-CN-2026-000001',
        invoiceNumber: 'ACME-2026-000042',
        customerId: 'cus_42',
        issueDate: '2026-12-05',
        reason: 'service outage on 2026-11-12',
        settlement: 'balance',
        currency: 'EUR',
        netTotal: 1000,
        taxTotal: 200,
        total: 1200,
      },
      invoice: { ...sent, amountDue: 17880, creditedAmount: 1200 },
    },
  },
  'balance.refunded': {
    type: 'balance.refunded',
    key: ['cus_42', 'EUR', 'SEPA-2026-0042'],
    subject: 'cus_42',
    time: '2026-12-06T09:00:00.000Z',
    data: {
      customerId: 'cus_42',
      currency: 'EUR',
      amount: 1200,
      reference: 'SEPA-2026-0042',
      at: '2026-12-06T09:00:00.000Z',
      available: 0,
    },
  },
  'payment.unmatched': {
    type: 'payment.unmatched',
    key: ['pi_3Q0example'],
    time: '2026-12-10T09:30:00.000Z',
    data: { paymentId: 'pi_3Q0example', namedInvoice: 'ACME-2026-999999', currency: 'EUR', reason: 'no invoice ACME-2026-999999' },
  },
  'subscription.changed': {
    type: 'subscription.changed',
    key: ['cus_42', '[{"plan":"pro","start":"2026-01-01T00:00:00Z","end":null}]'],
    subject: 'cus_42',
    time: '2026-12-15T00:00:00Z',
    data: {
      customerId: 'cus_42',
      change: 'change',
      plan: 'enterprise',
      at: '2026-12-15T00:00:00Z',
      subscriptions: [
        { plan: 'pro', start: '2026-01-01T00:00:00Z', end: '2026-12-15T00:00:00Z' },
        { plan: 'enterprise', start: '2026-12-15T00:00:00Z', end: null },
      ],
    },
  },
  'events.rejected': {
    type: 'events.rejected',
    key: ['9f2c0example'],
    subject: 'cus_42',
    time: '2026-11-03T10:00:01.000Z',
    data: {
      key: '9f2c0example',
      reason: 'data.tokens must be a finite number (meter tokens sums it), got "many"',
      period: '2026-11',
      source: '//api.example.com/eu-1',
      id: 'evt-000124',
      customerId: 'cus_42',
    },
  },
};

/** Every example in its envelope, as a stack named `billflow` publishes it. */
export function exampleEnvelopes(): OutboundEnvelope[] {
  return Object.values(examples).map((fact) => envelopeOf(fact, outboundSource('billflow')));
}
