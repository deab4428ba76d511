/**
 * Operators change a customer's subscriptions and profile without rewriting the catalog
 * document (billflow customers add|update, subscriptions start|change|cancel).
 *
 * 1. Read the customer, the plans and the customer's closed invoices.
 * 2. Check the request whole: every problem is reported at once, by path (`--plan`, `--at`,
 *    `subscriptions[1].start`, `address.country`).
 * 3. Refuse anything that would change a period whose invoice is finalized (or closed without
 *    one): those are immutable; a credit note corrects them.
 * 4. Upsert the customer: the catalog's version changes, so ingestion sees the new
 *    subscriptions with its next batch. A subscription change records subscription.changed
 *    in the outbound outbox in the same write, then publishes it; a publish that fails is
 *    reported (`outboundError`) and left to the hourly sweep, which publishes the same id.
 */
import type { CatalogIssue, Customer } from '#domain/catalog/types.ts';
import { validateCatalogDocument } from '#domain/catalog/validate.ts';
import { parseRfc3339 } from '#domain/events/rfc3339.ts';
import { billingPeriodOf, periodBounds } from '#domain/period.ts';
import { applyChange, type SubscriptionChange } from '#domain/subscriptions/changes.ts';
import { rewriteMessage, rewrittenPeriods, type ClosedPeriod } from '#domain/subscriptions/finalized.ts';
import { isWholeSecond } from '#domain/subscriptions/rules.ts';
import { isoSeconds, subscriptionsOf, toTerm, type Subscription } from '#domain/subscriptions/subscription.ts';
import type { CatalogRepository } from '#ports/catalog-repository.ts';
import type { InvoiceListing } from '#ports/invoice-repository.ts';
import type { OutboundEvents } from '#ports/outbound-events.ts';
import { subscriptionChanged } from '#domain/outbound/facts.ts';
import type { OutboundFact } from '#domain/outbound/catalogue.ts';
import { publishRecorded } from './publish-recorded.ts';

export interface ManageSubscriptionsDependencies {
  readonly catalog: CatalogRepository;
  readonly invoices: InvoiceListing;
  readonly now: number;
  /** subscription.changed, once the customer is saved with it in the outbound outbox. */
  readonly outbound: OutboundEvents;
}

export type ManageResult =
  | { readonly ok: true; readonly customer: Customer; readonly outboundError?: string }
  | { readonly ok: false; readonly issues: CatalogIssue[] };

export interface SubscriptionRequest {
  readonly kind: SubscriptionChange['kind'];
  readonly plan?: string;
  /** RFC 3339 in whole seconds, or `period-end` (the end of the billing period in progress). */
  readonly at?: string;
}

export async function changeSubscription(
  customerId: string,
  request: SubscriptionRequest,
  deps: ManageSubscriptionsDependencies,
): Promise<ManageResult> {
  const [head, found] = await Promise.all([deps.catalog.readHead(), deps.catalog.findCustomers([customerId])]);
  const customer = found.get(customerId);
  const issues: CatalogIssue[] = [];
  if (customer === undefined)
    issues.push({ path: 'customer', message: `no customer "${customerId}" in the catalog: add it first (billflow customers add FILE)` });
  if (request.kind !== 'cancel' && !head.plans.some((plan) => plan.code === request.plan)) {
    issues.push({
      path: '--plan',
      message: `no plan "${request.plan ?? ''}" in the catalog; plans: ${head.plans.map((plan) => plan.code).join(', ') || 'none'}`,
    });
  }
  const at = instantOf(request, deps.now, issues);
  if (customer === undefined || at === undefined || issues.length > 0) return { ok: false, issues };

  const change = (
    request.kind === 'cancel' ? { kind: 'cancel', at } : { kind: request.kind, plan: request.plan!, at }
  ) as SubscriptionChange;
  const changed = applyChange(subscriptionsOf(customer), change);
  if (!changed.ok) return { ok: false, issues: [{ path: '--at', message: changed.message }] };
  // enteredAt is the store's record, not a catalog field: the document validated and saved is the catalog's.
  const { enteredAt: _storedOnly, ...catalogCustomer } = customer;
  const subscriptions = changed.subscriptions.map(toTerm);
  const fact = subscriptionChanged(customerId, { ...request, at: isoSeconds(at) }, subscriptions);
  const saved = await save({ ...withoutPlan(catalogCustomer), subscriptions }, customer, 'update', deps, [fact]);
  if (!saved.ok) return saved;
  const outboundError = await publishRecorded(deps.outbound, [fact]);
  return outboundError === undefined ? saved : { ...saved, outboundError };
}

/** `customers add|update FILE`: one customer document, validated as the catalog validates customers. */
export async function saveCustomer(input: unknown, mode: 'add' | 'update', deps: ManageSubscriptionsDependencies): Promise<ManageResult> {
  const head = await deps.catalog.readHead();
  const validation = validateCatalogDocument({ customers: [input] }, head);
  if (!validation.ok)
    return {
      ok: false,
      issues: validation.issues.map((issue) => ({ ...issue, path: issue.path.replace(/^customers\[0\]\.?/, '') || '(document)' })),
    };
  const customer = validation.document.customers![0]!;
  const existing = (await deps.catalog.findCustomers([customer.id])).get(customer.id);
  if (mode === 'add' && existing !== undefined)
    return { ok: false, issues: [{ path: 'id', message: `customer "${customer.id}" already exists: use billflow customers update` }] };
  if (mode === 'update' && existing === undefined)
    return { ok: false, issues: [{ path: 'id', message: `no customer "${customer.id}" in the catalog: use billflow customers add` }] };
  return save(customer, existing, mode, deps);
}

async function save(
  customer: Customer,
  before: Customer | undefined,
  mode: 'add' | 'update',
  deps: ManageSubscriptionsDependencies,
  pending: readonly OutboundFact[] = [],
): Promise<ManageResult> {
  // The whole result is validated again: overlaps, currencies and plans, by path.
  const validation = validateCatalogDocument({ customers: [customer] }, await deps.catalog.readHead());
  if (!validation.ok)
    return { ok: false, issues: validation.issues.map((issue) => ({ ...issue, path: issue.path.replace(/^customers\[0\]\./, '') })) };
  if (before !== undefined && mode === 'update') {
    const issues = await finalizedRewriteIssues(before, customer, deps.invoices);
    if (issues.length > 0) return { ok: false, issues };
  }
  await deps.catalog.upsertCustomers([customer], pending);
  return { ok: true, customer };
}

/** A change to a customer that alters a closed period's segments, as an issue at `subscriptions`. */
export async function finalizedRewriteIssues(before: Customer, after: Customer, invoices: InvoiceListing): Promise<CatalogIssue[]> {
  const beforeHistory = subscriptionsOf(before);
  const afterHistory = subscriptionsOf(after);
  if (JSON.stringify(beforeHistory) === JSON.stringify(afterHistory)) return [];
  const closed: ClosedPeriod[] = (await invoices.list({ customerId: after.id }))
    .filter((invoice) => invoice.status !== 'draft')
    .map((invoice) => ({ period: invoice.billingPeriod, label: invoice.number ?? invoice.status }));
  const rewritten = rewrittenPeriods(beforeHistory, afterHistory, closed);
  return rewritten.length === 0 ? [] : [{ path: 'subscriptions', message: rewriteMessage(rewritten) }];
}

function instantOf(request: SubscriptionRequest, now: number, issues: CatalogIssue[]): number | undefined {
  if (request.at === undefined) {
    if (request.kind === 'start') return Math.floor(now / 1000) * 1000;
    issues.push({ path: '--at', message: 'is required: an RFC 3339 instant such as 2026-11-20T00:00:00Z, or period-end' });
    return undefined;
  }
  if (request.at === 'period-end') return periodBounds(billingPeriodOf(now)).end;
  const parsed = parseRfc3339(request.at);
  if (parsed === undefined || !isWholeSecond(parsed)) {
    issues.push({
      path: '--at',
      message: `"${request.at}" must be an RFC 3339 instant in whole seconds such as 2026-11-20T00:00:00Z, or period-end`,
    });
    return undefined;
  }
  return parsed;
}

function withoutPlan(customer: Customer): Omit<Customer, 'plan'> {
  const { plan: _shorthand, ...rest } = customer;
  return rest;
}

export function listSubscriptions(customer: Customer): Subscription[] {
  return subscriptionsOf(customer);
}
