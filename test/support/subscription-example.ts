/**
 * The worked example of docs/invoicing.md ("Subscriptions and proration"), computed by hand:
 * cus_50 on starter from 10 November 2026, on pro from the 20th, cancelled at the end of the
 * month; 3,000 calls on starter, 12,000 on pro, a peak of 1 seat. Columns: description,
 * quantity, unit price, net (cents).
 */
export const WORKED_EXAMPLE_LINES = [
  ['Base fee, plan starter, 2026-11-10 – 2026-11-19, 19.00 EUR x 10/30 days', '1', '6.33', 633],
  ['Base fee, plan pro, 2026-11-20 – 2026-11-30, 49.00 EUR x 11/30 days', '1', '17.97', 1797],
  ['api_calls, 1 – 1,000, plan starter, 2026-11-10 – 2026-11-19', '1000', '0', 0],
  ['api_calls, 1,001 and above, plan starter, 2026-11-10 – 2026-11-19', '2000', '0.002', 400],
  ['api_calls, 1 – 10,000, plan pro, 2026-11-20 – 2026-11-30', '10000', '0', 0],
  ['api_calls, 10,001 – 100,000, plan pro, 2026-11-20 – 2026-11-30', '2000', '0.001', 200],
  ['seats (peak), plan pro, 2026-11-20 – 2026-11-30', '1', '10.00', 1000],
  ['Minimum commitment top-up (plan pro, 2026-11-20 – 2026-11-30, commitment 100.00 EUR x 11/30 days = 36.67 EUR)', '1', '6.70', 670],
] as const;

/** Net 47.00, VAT 19 % (cus_50 is in Germany, like the issuer) 8.93, total 55.93. */
export const WORKED_EXAMPLE_TOTALS = [4700, 893, 5593] as const;

export const exampleColumns = (lines: readonly { description: string; quantity: string; unitPrice: string; netAmount: number }[]) =>
  lines.map((line) => [line.description, line.quantity, line.unitPrice, line.netAmount]);
