/**
 * What a customer's open period would cost now: the same aggregation and pricing the invoice
 * run uses, over the events stored so far, with nothing saved.
 */
import { computeInvoice } from '../domain/invoice/assemble.ts';
import type { InvoiceComputation, MeterUsage } from '../domain/invoice/types.ts';
import type { CatalogRepository } from '../ports/catalog-repository.ts';
import type { EventStore } from '../ports/event-store.ts';
import { CatalogIncompleteError } from './close-billing-period.ts';
import { collectUsage } from './collect-usage.ts';

export interface UsagePreview {
  readonly customerId: string;
  readonly period: string;
  readonly asOf: string;
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
  const customer = (await deps.catalog.findCustomers([customerId])).get(customerId);
  if (customer === undefined) throw new CatalogIncompleteError(`customer ${customerId} is not in the catalog`);
  if (head.issuer === undefined) throw new CatalogIncompleteError('the catalog has no issuer: add one with billflow catalog apply');
  const plan = head.plans.find((candidate) => candidate.code === customer.plan);
  if (plan === undefined) throw new CatalogIncompleteError(`customer ${customerId} has plan ${customer.plan}, which is not in the catalog`);
  const collected = await collectUsage(deps.events, head.meters, customerId, period, {
    readThrough: deps.now,
    late: [],
    // A preview of an open period: a chunk written a moment ago may as well be missed.
    eventuallyConsistent: true,
  });
  const invoice = computeInvoice({
    issuer: head.issuer,
    customer,
    plan,
    meters: head.meters,
    taxRates: head.taxRates,
    period,
    usage: collected.usage,
  });
  return { customerId, period, asOf: new Date(deps.now).toISOString(), usage: collected.usage, eventCount: collected.eventCount, invoice };
}
