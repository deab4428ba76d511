/**
 * Customers, their subscriptions and their usage so far, with the CLI's rules: the same use
 * cases (manage-subscriptions, preview-usage), the catalog's customer schema, every problem
 * by path, nothing written that would change a finalized period.
 */
import { z } from 'zod';
import type { CatalogIssue, Customer } from '#domain/catalog/types.ts';
import { catalogCustomerSchema } from '#domain/catalog/schema.ts';
import { billingPeriodOf } from '#domain/period.ts';
import { subscriptionStatus } from '#domain/subscriptions/changes.ts';
import { isoSeconds, subscriptionsOf } from '#domain/subscriptions/subscription.ts';
import { changeSubscription, saveCustomer, type ManageResult, type SubscriptionRequest } from '#use-cases/manage-subscriptions.ts';
import { previewUsage } from '#use-cases/preview-usage.ts';
import type { ApiDependencies } from '../dependencies.ts';
import { operation, type Operation } from '../operation.ts';
import { pageQuery, pageSchema, storedPage } from '../pages.ts';
import { ProblemError } from '../problems.ts';
import { customerIdParams, customerSubscriptions, customerView, usageView } from '../schemas.ts';

const AT = 'RFC 3339 instant in whole seconds (e.g. 2026-11-20T00:00:00Z), or `period-end`';
const startBody = z
  .object({
    plan: z.string().min(1),
    at: z
      .string()
      .optional()
      .meta({ description: `${AT}; default now` }),
  })
  .meta({ id: 'StartSubscription' });
const changeBody = z.object({ plan: z.string().min(1), at: z.string().meta({ description: AT }) }).meta({ id: 'ChangeSubscription' });
const cancelBody = z.object({ at: z.string().meta({ description: AT }) }).meta({ id: 'CancelSubscription' });
const usageQuery = z.object({
  period: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month as YYYY-MM, e.g. 2026-11')
    .optional()
    .meta({ description: 'YYYY-MM; default the period in progress' }),
});

export function customerOperations(deps: ApiDependencies): Operation[] {
  const manage = () => ({ catalog: deps.catalog, invoices: deps.invoices, now: deps.now(), outbound: deps.outbound });
  const subscriptionsOperation = (kind: SubscriptionRequest['kind'], body: z.ZodObject, path: string, summary: string, status: 200 | 201) =>
    operation({
      method: 'POST',
      path,
      operationId: `${kind}Subscription`,
      summary,
      tag: 'subscriptions',
      scope: 'customers:write',
      idempotent: true,
      params: customerIdParams,
      body,
      responses: {
        [status]: { description: "The customer's subscriptions after the change", schema: customerSubscriptions },
        404: { description: 'No such customer' },
        409: { description: 'The change would alter a period whose invoice is finalized' },
      },
      handle: async ({ params, body: request }) => {
        const fields = request as { plan?: string; at?: string };
        const result = await changeSubscription(params.id, { kind, ...fields }, manage());
        return { status, body: subscriptionsView(refuseUnless(result, params.id), deps.now()) };
      },
    });
  return [
    operation({
      method: 'PUT',
      path: '/v1/customers/{id}',
      operationId: 'putCustomer',
      summary: "Create or replace a customer (the catalog's customer schema; `id` may be left out)",
      tag: 'customers',
      scope: 'customers:write',
      idempotent: true,
      params: customerIdParams,
      body: catalogCustomerSchema.partial({ id: true }),
      // Read by the catalog's own validation (saveCustomer), whose messages are written for the person fixing the document.
      readsRawBody: true,
      responses: {
        200: { description: 'Replaced', schema: customerView },
        201: { description: 'Created', schema: customerView },
        409: { description: 'The change would alter a period whose invoice is finalized' },
      },
      handle: async ({ params, rawBody }) => {
        const document = jsonObject(rawBody);
        if (document.id !== undefined && document.id !== params.id) {
          throw new ProblemError('validation', 'the body names another customer than the path', [
            { path: 'id', message: `must be "${params.id}" (the id in the path) or left out, not ${JSON.stringify(document.id)}` },
          ]);
        }
        const exists = (await deps.catalog.findCustomers([params.id])).has(params.id);
        const result = await saveCustomer({ ...document, id: params.id }, exists ? 'update' : 'add', manage());
        return { status: exists ? 200 : 201, body: refuseUnless(result, params.id) };
      },
    }),
    operation({
      method: 'GET',
      path: '/v1/customers/{id}',
      operationId: 'getCustomer',
      summary: 'One customer',
      tag: 'customers',
      scope: 'read',
      params: customerIdParams,
      responses: { 200: { description: 'The customer', schema: customerView }, 404: { description: 'No such customer' } },
      handle: async ({ params }) => ({ status: 200, body: await customerOf(deps, params.id) }),
    }),
    operation({
      method: 'GET',
      path: '/v1/customers',
      operationId: 'listCustomers',
      summary: 'Customers by id, a page at a time',
      tag: 'customers',
      scope: 'read',
      query: z.object(pageQuery),
      responses: { 200: { description: 'A page of customers', schema: pageSchema(customerView, 'CustomerPage') } },
      handle: async ({ query }) => ({
        status: 200,
        body: await storedPage(
          async ({ limit, after }) => {
            const { customers, more } = await deps.catalog.customersPage({ limit, ...(after === undefined ? {} : { afterId: after }) });
            return { items: customers, more };
          },
          (customer) => customer.id,
          query,
        ),
      }),
    }),
    subscriptionsOperation(
      'start',
      startBody,
      '/v1/customers/{id}/subscriptions',
      'Start a subscription (at most one active at any instant)',
      201,
    ),
    subscriptionsOperation(
      'change',
      changeBody,
      '/v1/customers/{id}/subscriptions/change',
      'Move the subscription active at `at` to another plan',
      200,
    ),
    subscriptionsOperation('cancel', cancelBody, '/v1/customers/{id}/subscriptions/cancel', 'End the subscription active at `at`', 200),
    operation({
      method: 'GET',
      path: '/v1/customers/{id}/subscriptions',
      operationId: 'listSubscriptions',
      summary: "A customer's subscriptions, oldest first, with where each stands now",
      tag: 'subscriptions',
      scope: 'read',
      params: customerIdParams,
      responses: { 200: { description: 'The subscriptions', schema: customerSubscriptions }, 404: { description: 'No such customer' } },
      handle: async ({ params }) => ({ status: 200, body: subscriptionsView(await customerOf(deps, params.id), deps.now()) }),
    }),
    operation({
      method: 'GET',
      path: '/v1/customers/{id}/usage',
      operationId: 'getUsage',
      summary: "A period's usage priced now, as the invoice run would price it (nothing saved)",
      tag: 'usage',
      scope: 'read',
      params: customerIdParams,
      query: usageQuery,
      responses: {
        200: { description: 'The usage and what it costs so far', schema: usageView },
        404: { description: 'No such customer' },
        409: { description: 'The catalog cannot price it yet (no issuer)' },
      },
      handle: async ({ params, query }) => {
        await customerOf(deps, params.id);
        const period = query.period ?? billingPeriodOf(deps.now());
        return {
          status: 200,
          body: await previewUsage(params.id, period, { events: deps.events, catalog: deps.catalog, now: deps.now() }),
        };
      },
    }),
  ];
}

export async function customerOf(deps: ApiDependencies, id: string): Promise<Customer> {
  const customer = (await deps.catalog.findCustomers([id])).get(id);
  if (customer === undefined) throw new ProblemError('not-found', `no customer "${id}": create it with PUT /v1/customers/${id}`);
  return customer;
}

function jsonObject(rawBody: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(rawBody);
  } catch (error) {
    throw new ProblemError('malformed-json', `the body is not JSON (${(error as Error).message}): send one customer as a JSON object`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ProblemError('validation', 'the body must be one customer', [{ path: '(body)', message: 'must be a JSON object' }]);
  }
  return value as Record<string, unknown>;
}

/** The use case's refusal as a problem: an unknown customer 404, a finalized period 409, anything else 400 by path. */
function refuseUnless(result: ManageResult, customerId: string): Customer {
  if (result.ok) return result.customer;
  const issues = result.issues.map((issue: CatalogIssue) => ({ path: issue.path.replace(/^--/, ''), message: issue.message }));
  if (issues.some((issue) => issue.path === 'customer'))
    throw new ProblemError('not-found', `no customer "${customerId}": create it with PUT /v1/customers/${customerId}`);
  if (issues.some((issue) => issue.path === 'subscriptions' && /finalized|closed/.test(issue.message)))
    throw new ProblemError('conflict', 'the change would alter a period whose invoice is finalized: correct it with a credit note', issues);
  throw new ProblemError('validation', `${issues.length} problem(s): see errors; nothing was written`, issues);
}

function subscriptionsView(customer: Customer, now: number) {
  return {
    customerId: customer.id,
    subscriptions: subscriptionsOf(customer).map((subscription) => ({
      plan: subscription.plan,
      start: subscription.start === undefined ? null : isoSeconds(subscription.start),
      end: subscription.end === undefined ? null : isoSeconds(subscription.end),
      status: subscriptionStatus(subscription, now),
    })),
  };
}
