/**
 * The worked example of docs/invoicing.md ("Subscriptions and proration"), line by line:
 * cus_50 starts on starter on 10 November 2026, upgrades to pro on the 20th and cancels at the
 * end of November. The figures were computed by hand (see the table there).
 */
import { describe, expect, it } from 'vitest';
import { WORKED_EXAMPLE_LINES, WORKED_EXAMPLE_TOTALS, exampleColumns } from '#test-support/subscription-example.ts';
import { readFileSync } from 'node:fs';
import { parseCatalogText } from '#domain/catalog/parse.ts';
import { validateCatalogDocument } from '#domain/catalog/validate.ts';
import { mergeIntoHead } from '#domain/catalog/merge.ts';
import type { CatalogDocument, CatalogHead } from '#domain/catalog/types.ts';
import { computeInvoice } from '#domain/invoice/assemble.ts';
import { subscriptionsOf } from '#domain/subscriptions/subscription.ts';

function applied(...names: string[]): { head: CatalogHead; documents: CatalogDocument[] } {
  let head: CatalogHead = { taxRates: {}, meters: [], plans: [] };
  const documents: CatalogDocument[] = [];
  for (const name of names) {
    const parsed = parseCatalogText(readFileSync(new URL(`../../docs/examples/${name}`, import.meta.url), 'utf8'), name);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const result = validateCatalogDocument(parsed.value, head);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    head = mergeIntoHead(head, result.document);
    documents.push(result.document);
  }
  return { head, documents };
}

describe('worked example: start on the 10th, upgrade on the 20th, cancel at period end', () => {
  const { head, documents } = applied('catalog.yaml', 'subscriptions.yaml');
  const customer = {
    ...documents[1]!.customers![0]!,
    subscriptions: [
      { plan: 'starter', start: '2026-11-10T00:00:00Z', end: '2026-11-20T00:00:00Z' },
      { plan: 'pro', start: '2026-11-20T00:00:00Z', end: '2026-12-01T00:00:00Z' },
    ],
  };
  type Input = Parameters<typeof computeInvoice>[0];
  const invoiceFor = (period: string, usage: Input['usage'], billedUsage: Input['billedUsage'] = []) =>
    computeInvoice({
      issuer: head.issuer!,
      customer,
      plans: head.plans,
      subscriptions: subscriptionsOf(customer),
      meters: head.meters,
      taxRates: head.taxRates,
      period,
      usage,
      billedUsage,
    });

  it('bills each segment under its own plan, base fee and minimum prorated by days', () => {
    const invoice = invoiceFor('2026-11', [
      { meter: 'api_calls', period: '2026-11', quantity: '3000', eventCount: 3000, segment: '2026-11-10T00:00:00.000Z' },
      { meter: 'api_calls', period: '2026-11', quantity: '12000', eventCount: 12000, segment: '2026-11-20T00:00:00.000Z' },
      { meter: 'seats', period: '2026-11', quantity: '1', eventCount: 1, segment: '2026-11-20T00:00:00.000Z' },
    ]);
    expect(exampleColumns(invoice.lines)).toEqual(WORKED_EXAMPLE_LINES);
    expect(invoice.lines[1]!.subscription).toEqual({
      plan: 'pro',
      start: '2026-11-20T00:00:00.000Z',
      end: '2026-12-01T00:00:00.000Z',
      seconds: 11 * 86_400,
      periodSeconds: 30 * 86_400,
    });
    // Reverse charge? No: cus_50 is German like the issuer, so 19 % on 47.00 = 8.93.
    expect([invoice.netTotal, invoice.taxTotal, invoice.total]).toEqual(WORKED_EXAMPLE_TOTALS);
  });

  it('late usage of November after the cancellation is billed in its segment and re-rates its prorated minimum', () => {
    // November billed: pro's segment 29.97, topped up by 6.70 to 36.67. Then a peak of 5 seats arrives late.
    const invoice = invoiceFor(
      '2026-12',
      [{ meter: 'seats', period: '2026-11', quantity: '4', billedQuantity: '1', eventCount: 1, segment: '2026-11-20T00:00:00.000Z' }],
      [
        { meter: 'api_calls', period: '2026-11', quantity: '12000', eventCount: 12000, segment: '2026-11-20T00:00:00.000Z' },
        { meter: 'seats', period: '2026-11', quantity: '1', eventCount: 1, segment: '2026-11-20T00:00:00.000Z' },
        { meter: 'api_calls', period: '2026-11', quantity: '3000', eventCount: 3000, segment: '2026-11-10T00:00:00.000Z' },
      ],
    );
    expect(exampleColumns(invoice.lines)).toEqual([
      ['seats (peak), plan pro, 2026-11-20 – 2026-11-30, late usage from 2026-11', '4', '10.00', 4000],
      [
        'Minimum commitment top-up already billed for 2026-11, plan pro, 2026-11-20 – 2026-11-30, now covered by its late usage (commitment 36.67 EUR)',
        '-1',
        '6.70',
        -670,
      ],
    ]);
    expect(invoice.netTotal).toBe(3330);
  });

  it('a period with no active subscription and no usage has no lines', () => {
    const invoice = invoiceFor('2026-12', []);
    expect(invoice.lines).toEqual([]);
    expect(invoice.total).toBe(0);
  });

  it('a customer without any subscription cannot be priced, and is told why', () => {
    expect(() =>
      computeInvoice({
        issuer: head.issuer!,
        customer,
        plans: head.plans,
        subscriptions: [],
        meters: head.meters,
        taxRates: head.taxRates,
        period: '2026-11',
        usage: [],
      }),
    ).toThrow('Customer cus_50 has no subscription: start one (billflow subscriptions start) before it can be billed');
  });

  it('usage where no subscription is active is refused with a reason', () => {
    expect(() => invoiceFor('2026-12', [{ meter: 'api_calls', period: '2026-12', quantity: '5', eventCount: 5 }])).toThrow(
      'Customer cus_50 has usage of meter api_calls in 2026-12 but no subscription active then',
    );
  });
});
