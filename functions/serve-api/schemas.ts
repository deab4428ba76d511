/**
 * The zod schemas of the HTTP API's answers, shared by the handlers and the OpenAPI document.
 * Request schemas live beside their operations (./operations/*.ts), or are the catalog's and
 * the CloudEvents format's own (one definition each).
 */
import { z } from 'zod';
import { balanceMovementKinds } from '#domain/balance/ledger.ts';
import { API_KEY_SCOPES } from '#domain/api-keys/api-key.ts';

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details; `errors` lists every validation issue by path' });

export const customerIdParams = z.object({
  id: z.string().min(1).meta({ description: 'Customer id, e.g. cus_42' }),
});

export const subscriptionView = z
  .object({
    plan: z.string(),
    start: z.string().nullable().meta({ description: 'RFC 3339; null: the `plan` shorthand, billed for every period' }),
    end: z.string().nullable().meta({ description: 'RFC 3339, excluded; null: open-ended' }),
    status: z.string(),
  })
  .meta({ id: 'Subscription' });

export const customerView = z
  .looseObject({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    address: z.looseObject({ line1: z.string(), city: z.string(), postalCode: z.string(), country: z.string() }),
    vatId: z.string().optional(),
    plan: z.string().optional(),
    subscriptions: z.array(z.looseObject({ plan: z.string(), start: z.string(), end: z.string().optional() })).optional(),
    paymentTermsDays: z.number().int(),
  })
  .meta({ id: 'Customer', description: "A customer as the catalog stores it (the catalog's customer schema)" });

const balanceMovement = z
  .object({
    id: z.string(),
    customerId: z.string(),
    currency: z.string(),
    kind: z.enum(balanceMovementKinds),
    amount: z.number().int().meta({ description: 'minor units: + into the balance, - out of it' }),
    at: z.string(),
    reference: z.string().meta({ description: 'the credit note or invoice number it comes from, or the refund reference' }),
  })
  .meta({ id: 'BalanceMovement' });

export const balanceRefundView = z
  .object({
    refund: balanceMovement,
    alreadyRecorded: z.boolean().meta({ description: 'true: recorded before with this reference and amount, nothing changed now' }),
    available: z.number().int().meta({ description: 'what the balance holds after it, minor units' }),
  })
  .meta({ id: 'BalanceRefundRecorded' });

export const customerBalance = z
  .object({
    customerId: z.string(),
    balances: z.array(z.object({ currency: z.string(), available: z.number().int().meta({ description: 'minor units' }) })),
    movements: z.array(balanceMovement),
  })
  .meta({
    id: 'CustomerBalance',
    description:
      'Money billflow owes the customer, used on its next invoices: what is available per currency, and the movements, oldest first',
  });

export const customerSubscriptions = z
  .object({ customerId: z.string(), subscriptions: z.array(subscriptionView) })
  .meta({ id: 'CustomerSubscriptions' });

const invoiceLine = z.looseObject({
  description: z.string(),
  meter: z.string().nullable(),
  quantity: z.string(),
  unitPrice: z.string(),
  netAmount: z.number().int(),
  taxRate: z.string(),
});

export const invoiceView = z
  .looseObject({
    number: z.string().nullable().meta({ description: 'null while a draft' }),
    customerId: z.string(),
    period: z.object({ start: z.string(), end: z.string() }),
    status: z.enum(['draft', 'finalized', 'void', 'not_issued']),
    paymentStatus: z.string(),
    currency: z.string(),
    issueDate: z.string().nullable(),
    dueDate: z.string().nullable(),
    lines: z.array(invoiceLine),
    netTotal: z.number().int(),
    taxTotal: z.number().int(),
    total: z.number().int(),
    amountPaid: z.number().int(),
    amountDue: z.number().int(),
  })
  .meta({
    id: 'Invoice',
    description: "Amounts in the currency's minor unit (CONTRACTS.md section 3); as `billflow invoices show --json`",
  });

export const creditNoteView = z
  .looseObject({
    number: z.string(),
    invoiceNumber: z.string(),
    customerId: z.string(),
    issueDate: z.string(),
    reason: z.string(),
    lines: z.array(z.looseObject({ description: z.string(), netAmount: z.number().int() })),
    netTotal: z.number().int(),
    taxTotal: z.number().int(),
    total: z.number().int(),
    currency: z.string(),
    settlement: z.enum(['balance', 'refund']),
  })
  .meta({ id: 'CreditNote' });

export const usageView = z
  .looseObject({
    customerId: z.string(),
    period: z.string(),
    asOf: z.string(),
    segments: z.array(z.looseObject({ plan: z.string(), start: z.string(), end: z.string() })),
    usage: z.array(z.looseObject({ meter: z.string() })),
    eventCount: z.number().int(),
    invoice: z.looseObject({ currency: z.string(), netTotal: z.number().int(), taxTotal: z.number().int(), total: z.number().int() }),
  })
  .meta({ id: 'UsagePreview', description: "The open period priced now with the invoice run's code; nothing is saved" });

export const eventResults = z
  .object({
    received: z.number().int(),
    accepted: z.number().int(),
    rejected: z.number().int(),
    results: z.array(
      z.object({
        index: z.number().int(),
        id: z.string().nullable(),
        source: z.string().nullable(),
        status: z.enum(['accepted', 'rejected']),
        reason: z.string().optional(),
      }),
    ),
  })
  .meta({
    id: 'EventResults',
    description:
      'Per event, in the order sent. Accepted events are queued for ingestion (deduplicated on source and id); rejected ones are queued too and stored as rejected (billflow events rejected), so nothing is lost',
  });

export const scopeSchema = z.enum(API_KEY_SCOPES);
