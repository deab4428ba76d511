/**
 * The customer balance over HTTP, with the CLI's rules and use case: read it as
 * `billflow customers balance` shows it, and record balance paid back outside billflow as
 * `billflow customers refund-balance` does (use-cases/refund-customer-balance.ts: exact amounts,
 * at most what is available, one refund per reference, balance.refunded in the outbox).
 */
import { z } from 'zod';
import { availableByCurrency, type BalanceAccount } from '#domain/balance/ledger.ts';
import { BalanceRefundError, InsufficientBalanceError } from '#domain/errors.ts';
import { parseRfc3339 } from '#domain/events/rfc3339.ts';
import { UnknownBalanceCustomerError } from '#use-cases/errors.ts';
import { refundCustomerBalance } from '#use-cases/refund-customer-balance.ts';
import type { ApiDependencies } from '../dependencies.ts';
import { operation, type Operation } from '../operation.ts';
import { ProblemError } from '../problems.ts';
import { balanceRefundView, customerBalance, customerIdParams } from '../schemas.ts';
import { customerOf } from './customers.ts';

const currencyCode = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code in capitals, e.g. EUR');

const balanceQuery = z.object({
  currency: currencyCode.optional().meta({ description: 'only this currency (ISO 4217); default every currency the balance has' }),
});

const refundBody = z
  .object({
    amount: z.string().meta({ description: 'paid back, in the currency, with at most its decimals (e.g. "11.90")' }),
    currency: currencyCode.meta({ description: 'the balance it comes from (ISO 4217)' }),
    reference: z.string().meta({ description: "the payout's reference (1 to 140 characters): one refund per reference" }),
    at: z.string().optional().meta({ description: 'RFC 3339 instant it was paid back; default now' }),
  })
  .meta({ id: 'BalanceRefund' });

export function balanceOperations(deps: ApiDependencies): Operation[] {
  return [
    operation({
      method: 'GET',
      path: '/v1/customers/{id}/balance',
      operationId: 'getCustomerBalance',
      summary:
        "The customer's balance: what is available per currency for its next invoices, and the movements (as `billflow customers balance`)",
      tag: 'customers',
      scope: 'read',
      params: customerIdParams,
      query: balanceQuery,
      responses: { 200: { description: 'The balance', schema: customerBalance }, 404: { description: 'No such customer and no balance' } },
      handle: async ({ params, query }) => {
        const movements = await deps.balances.movements(params.id, query.currency);
        // A customer removed from the catalog may still be owed money: its balance is shown.
        if (movements.length === 0) await customerOf(deps, params.id);
        return {
          status: 200,
          body: { customerId: params.id, balances: availableByCurrency(params.id, movements, query.currency), movements },
        };
      },
    }),
    operation({
      method: 'POST',
      path: '/v1/customers/{id}/balance/refunds',
      operationId: 'refundCustomerBalance',
      summary: 'Record balance paid back outside billflow (as `billflow customers refund-balance`); publishes balance.refunded',
      tag: 'customers',
      scope: 'customers:write',
      idempotent: true,
      params: customerIdParams,
      body: refundBody,
      responses: {
        201: { description: 'Recorded', schema: balanceRefundView },
        200: { description: 'Recorded before with this reference and amount: nothing changed', schema: balanceRefundView },
        404: { description: 'No such customer and no balance' },
        409: {
          description:
            'More than the balance holds, or, for a refund dated before later movements, more than it held then less what was taken out since (the detail says how much)',
        },
      },
      handle: async ({ params, body }) => {
        const request = body;
        const at = request.at === undefined ? deps.now() : parseRfc3339(request.at);
        if (at === undefined)
          throw new ProblemError('validation', 'at is not an RFC 3339 instant', [
            { path: 'at', message: 'must be an RFC 3339 date-time with an offset, e.g. 2026-12-06T09:00:00Z' },
          ]);
        const account: BalanceAccount = { customerId: params.id, currency: request.currency };
        try {
          const outcome = await refundCustomerBalance(
            account,
            { amount: request.amount, reference: request.reference },
            {
              balances: deps.balances,
              customerExists: async (id) => (await deps.catalog.findCustomers([id])).has(id),
              now: () => at,
              outbound: deps.outbound,
            },
          );
          const { refund, alreadyRecorded, available } = outcome;
          return { status: alreadyRecorded ? 200 : 201, body: { refund, alreadyRecorded, available } };
        } catch (error) {
          throw refundProblem(error);
        }
      },
    }),
  ];
}

/** What the refusal is over HTTP: the field to fix (400), the balance too small (409), an unknown customer (404). */
function refundProblem(error: unknown): unknown {
  if (error instanceof BalanceRefundError)
    return new ProblemError('validation', error.message, [{ path: error.field, message: error.message }]);
  if (error instanceof InsufficientBalanceError)
    return new ProblemError('conflict', error.message, [{ path: 'amount', message: error.message }]);
  if (error instanceof UnknownBalanceCustomerError)
    return new ProblemError('not-found', `no customer "${error.customerId}": create it with PUT /v1/customers/${error.customerId}`);
  return error;
}
