/**
 * What a customer's open period would cost now: the same aggregation and pricing the invoice
 * run uses, over the events stored so far, with nothing saved.
 */
import type { InvoiceComputation, LineSubscription, MeterUsage } from '#domain/invoice/types.ts';
import type { CatalogRepository } from '#ports/catalog-repository.ts';
import type { EventStore } from '#ports/event-store.ts';
import { periodSegments } from '#domain/subscriptions/segments.ts';
import { priceUsage, readBillingTerms } from './close-billing-period.ts';
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
  const terms = await readBillingTerms(deps.catalog, customerId);
  const { subscriptions } = terms;
  const collected = await collectUsage(deps.events, terms.head.meters, customerId, period, {
    readThrough: deps.now,
    late: [],
    // A preview of an open period: a chunk written a moment ago may as well be missed.
    eventuallyConsistent: true,
    subscriptions,
  });
  // No late windows: billedUsage is empty.
  const invoice = priceUsage(terms, period, collected);
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
