/**
 * What a customer's open period would cost now: the same aggregation and pricing the invoice
 * run uses, over the events stored so far, with nothing saved.
 */
import { computeInvoice } from '#domain/invoice/assemble.ts';
import type { InvoiceComputation, LineSubscription, MeterUsage } from '#domain/invoice/types.ts';
import type { CatalogRepository } from '#ports/catalog-repository.ts';
import type { EventStore } from '#ports/event-store.ts';
import { periodSegments } from '#domain/subscriptions/segments.ts';
import { requireCatalog } from './close-billing-period.ts';
import { collectUsage } from './collect-usage.ts';

export interface UsagePreview {
  readonly customerId: string;
  readonly period: string;
  readonly asOf: string;
  /** The period's subscription segments: which plan from when to when (end excluded). */
  readonly segments: readonly LineSubscription[];
  readonly usage: MeterUsage[];
  readonly eventCount: number;
  readonly invoice: InvoiceComputation;
}

export async function previewUsage(
  customerId: string,
  period: string,
  deps: { events: EventStore; catalog: CatalogRepository; now: number },
): Promise<UsagePreview> {
  const head = await deps.catalog.readHead();
  const found = (await deps.catalog.findCustomers([customerId])).get(customerId);
  const { issuer, customer, subscriptions } = requireCatalog(head, found, customerId);
  const collected = await collectUsage(deps.events, head.meters, customerId, period, {
    readThrough: deps.now,
    late: [],
    // A preview of an open period: a chunk written a moment ago may as well be missed.
    eventuallyConsistent: true,
    subscriptions,
  });
  const invoice = computeInvoice({
    issuer,
    customer,
    plans: head.plans,
    subscriptions,
    meters: head.meters,
    taxRates: head.taxRates,
    period,
    usage: collected.usage,
  });
  const segments = periodSegments(subscriptions, period).map((segment) => ({
    plan: segment.plan,
    start: new Date(segment.from).toISOString(),
    end: new Date(segment.to).toISOString(),
    seconds: segment.seconds,
    periodSeconds: segment.periodSeconds,
  }));
  return {
    customerId,
    period,
    asOf: new Date(deps.now).toISOString(),
    segments,
    usage: collected.usage,
    eventCount: collected.eventCount,
    invoice,
  };
}
