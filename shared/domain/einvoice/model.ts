/**
 * A finalized invoice on the EN 16931 semantic model, syntax-neutral: every value is the text
 * that goes into the XML, so the CII and UBL writers only place it. Amounts come from the
 * invoice's minor units (the same totals as the PDF, to the cent); nothing is recomputed.
 *
 * Decisions where EN 16931 and billflow's data meet:
 * - VAT ids: category O ("not subject to VAT") forbids the seller's and buyer's VAT ids
 *   (BR-O-02), yet a seller needs an identifier (BR-CO-26), so on such invoices the seller's
 *   VAT number is given as its seller identifier (BT-29) instead.
 * - A line whose rounded net amount is more than 0.02 away from quantity x unit price (a yen
 *   price with fractions of a yen: 3 x JPY 0.25 is JPY 1) states its price per the line's
 *   quantity (BT-146 = net, BT-149 base quantity = quantity), because Peppol's PEPPOL-EN16931-R120
 *   allows only 0.02 of slack; every other line states the catalog's unit price per one unit.
 * - A tier's flat fee is a line charge (BG-28), so the line's net is price x quantity + charge.
 * - The invoice period (BG-14) spans every line's period: late usage from an earlier month lies
 *   before the invoice's own month, and a line period must lie inside it (PEPPOL-EN16931-R110).
 */
import { currencyExponent } from '../catalog/currencies.ts';
import type { PostalAddress } from '../catalog/types.ts';
import type { Invoice, InvoiceParty } from '../invoice/invoice.ts';
import type { InvoiceLine, TaxSubtotal, VatCategory } from '../invoice/types.ts';
import { decimal, decimalText, formatMinor, minorToDecimal, ZERO } from '../money.ts';
import { FORMAT_PROFILES, type EInvoiceFormat } from './format.ts';
import { EInvoiceDataError } from '../errors.ts';

/** Per-customer e-invoice data the invoice record does not hold (the catalog's `einvoice`). */
export interface EInvoiceOptions {
  /** BT-10, the buyer's reference; for German public buyers the Leitweg-ID. */
  readonly buyerReference?: string;
  /** BT-49; default: the buyer's email (scheme EM). */
  readonly buyerEndpoint?: ElectronicAddress;
  /** BT-34; default: the seller's email (scheme EM). */
  readonly sellerEndpoint?: ElectronicAddress;
  /** BG-6 seller contact; XRechnung requires a name, telephone and email (BR-DE-5/6/7). */
  readonly sellerContact?: { readonly name?: string; readonly telephone?: string };
}

/** An electronic address with its EAS scheme, e.g. `{ scheme: '0088', id: '4012345000009' }`. */
export interface ElectronicAddress {
  readonly scheme: string;
  readonly id: string;
}

export interface En16931Party {
  readonly name: string;
  /** BT-29 / BT-46. */
  readonly id?: string;
  /** BT-31 / BT-48. */
  readonly vatId?: string;
  readonly address: PostalAddress;
  readonly endpoint: ElectronicAddress;
  readonly contact?: { readonly name?: string; readonly telephone?: string; readonly email?: string };
}

export interface En16931Line {
  /** BT-126. */
  readonly id: string;
  /** BT-153. */
  readonly name: string;
  /** BT-155: the meter, for usage lines. */
  readonly sellerItemId?: string;
  /** BT-129, BT-130. */
  readonly quantity: string;
  readonly unitCode: string;
  /** BT-146 and, when it is not one unit, BT-149. */
  readonly price: string;
  readonly baseQuantity?: string;
  /** BT-131. */
  readonly net: string;
  /** BG-28: a tier's flat fee. */
  readonly charge?: { readonly amount: string; readonly reason: string };
  /** BG-26, inclusive dates. */
  readonly period: { readonly start: string; readonly end: string };
  readonly category: VatCategory;
  /** BT-152; absent for category O (BR-O-05). */
  readonly rate?: string;
}

export interface En16931VatBreakdown {
  readonly category: VatCategory;
  readonly rate: string;
  readonly taxable: string;
  readonly tax: string;
  readonly exemptionReason?: string;
  readonly exemptionCode?: string;
}

export interface En16931Invoice {
  readonly specification: string;
  readonly businessProcess?: string;
  readonly number: string;
  /** UNTDID 1001: 380 commercial invoice, 381 credit note. */
  readonly typeCode: '380' | '381';
  readonly issueDate: string;
  readonly dueDate: string;
  readonly currency: string;
  readonly buyerReference?: string;
  /** BG-3 preceding invoice reference (BT-25, BT-26): the invoice a credit note corrects. */
  readonly precedingInvoice?: { readonly number: string; readonly issueDate: string };
  readonly notes: readonly string[];
  readonly period: { readonly start: string; readonly end: string };
  readonly seller: En16931Party;
  readonly buyer: En16931Party;
  readonly payment: {
    readonly meansCode: '58';
    readonly iban: string;
    readonly bic: string;
    readonly reference: string;
    readonly terms: string;
  };
  readonly vat: readonly En16931VatBreakdown[];
  readonly totals: {
    readonly lines: string;
    readonly taxExclusive: string;
    readonly tax: string;
    readonly taxInclusive: string;
    /** BT-113 paid amount: the customer balance applied at finalization; absent when none was. */
    readonly prepaid?: string;
    /** BT-115 amount due for payment: BT-112 less BT-113 (BR-CO-16). */
    readonly payable: string;
  };
  readonly lines: readonly En16931Line[];
}

/** VATEX codes (CEF code list) and texts for the categories that need an exemption reason. */
const EXEMPTIONS: Partial<Record<VatCategory, { code: string; reason: string }>> = {
  AE: { code: 'VATEX-EU-AE', reason: 'Reverse charge' },
  O: { code: 'VATEX-EU-O', reason: 'Not subject to VAT' },
};

/** Largest rounding difference PEPPOL-EN16931-R120 tolerates between price x quantity and net. */
const LINE_SLACK = decimal('0.02');

/** Why the invoice cannot be an e-invoice, or undefined when it can. */
export function einvoiceObstacle(invoice: Invoice): string | undefined {
  if (
    invoice.status === 'draft' ||
    invoice.status === 'not_issued' ||
    invoice.number === null ||
    invoice.issueDate === null ||
    invoice.dueDate === null
  ) {
    return `Only an issued invoice has an e-invoice; this one is ${invoice.status} and has no number or dates yet`;
  }
  const exponent = currencyExponent(invoice.currency);
  if (exponent > 2) {
    return `EN 16931 amounts have at most two decimals (BR-DEC rules); ${invoice.currency} has ${exponent}, so invoice ${invoice.number} cannot be an e-invoice`;
  }
  return undefined;
}

export function toEn16931(invoice: Invoice, format: EInvoiceFormat, options: EInvoiceOptions = {}): En16931Invoice {
  const obstacle = einvoiceObstacle(invoice);
  const { number, issueDate, dueDate, currency } = invoice;
  if (obstacle !== undefined || number === null || issueDate === null || dueDate === null) throw new EInvoiceDataError(obstacle);
  const profile = FORMAT_PROFILES[format];
  const outsideScope = invoice.tax.category === 'O';
  const amount = (minor: number): string => formatMinor(minor, currency);
  const lines = invoice.lines.map((line, index) => en16931Line(line, index, currency));
  return {
    specification: profile.specification,
    ...(profile.businessProcess === undefined ? {} : { businessProcess: profile.businessProcess }),
    number,
    typeCode: '380',
    issueDate,
    dueDate,
    currency,
    ...(options.buyerReference === undefined ? {} : { buyerReference: options.buyerReference }),
    notes: invoice.legends,
    period: spanOf(
      lines.map((line) => line.period),
      inclusiveDates(invoice.period),
    ),
    seller: {
      ...party(invoice.seller, options.sellerEndpoint, outsideScope),
      // BT-29 only where the VAT id may not be given (see the header); BT-46 is the customer id.
      ...(outsideScope && invoice.seller.vatId !== null ? { id: invoice.seller.vatId } : {}),
      contact: { ...options.sellerContact, email: invoice.seller.email },
    },
    buyer: { ...party(invoice.buyer, options.buyerEndpoint, outsideScope), id: invoice.buyer.id },
    payment: {
      meansCode: '58',
      iban: invoice.paymentMeans.iban,
      bic: invoice.paymentMeans.bic,
      reference: invoice.paymentReference ?? number,
      terms: `Payable within ${invoice.paymentTermsDays} days net, by ${dueDate}, quoting ${invoice.paymentReference ?? number}.`,
    },
    vat: vatBreakdown(invoice.taxSubtotals, invoice.tax.category, currency),
    totals: {
      lines: amount(invoice.netTotal),
      taxExclusive: amount(invoice.netTotal),
      tax: amount(invoice.taxTotal),
      taxInclusive: amount(invoice.total),
      // The e-invoice is issued once, at finalization: payments received later do not change it;
      // the balance applied then (issue 16) is part of it.
      ...(invoice.balanceApplied === undefined ? {} : { prepaid: amount(invoice.balanceApplied) }),
      payable: amount(invoice.total - (invoice.balanceApplied ?? 0)),
    },
    lines,
  };
}

function party(who: InvoiceParty, endpoint: ElectronicAddress | undefined, outsideScope: boolean): En16931Party {
  return {
    name: who.name,
    ...(who.vatId === null || who.vatId.trim() === '' || outsideScope ? {} : { vatId: who.vatId }),
    address: who.address,
    endpoint: endpoint ?? { scheme: 'EM', id: who.email },
  };
}

/** One breakdown per VAT rate (BG-23), with the exemption reason the category requires. */
export function vatBreakdown(subtotals: readonly TaxSubtotal[], category: VatCategory, currency: string): En16931VatBreakdown[] {
  const exemption = EXEMPTIONS[category];
  return subtotals.map((subtotal) => ({
    category: subtotal.category,
    // 0 for O as well: XRechnung requires the rate in the breakdown (BR-DE-14), EN 16931 allows it.
    rate: rateText(subtotal.rate),
    taxable: formatMinor(subtotal.taxableAmount, currency),
    tax: formatMinor(subtotal.taxAmount, currency),
    ...(exemption === undefined ? {} : { exemptionReason: exemption.reason, exemptionCode: exemption.code }),
  }));
}

/** What a line of the model is made from: an invoice line, or a credit note line (which has no tiers or segments). */
export type LineSource = Pick<
  InvoiceLine,
  | 'description'
  | 'meter'
  | 'quantity'
  | 'unitCode'
  | 'unitPrice'
  | 'netAmount'
  | 'period'
  | 'taxCategory'
  | 'taxRate'
  | 'flatPrice'
  | 'subscription'
>;

export function en16931Line(line: LineSource, index: number, currency: string): En16931Line {
  const exponent = currencyExponent(currency);
  const net = minorToDecimal(line.netAmount, currency);
  const quantity = decimal(line.quantity);
  const unitPrice = decimal(line.unitPrice);
  const flatPrice = line.flatPrice === undefined ? undefined : decimal(line.flatPrice);
  const charge = flatPrice === undefined || flatPrice.isZero() ? undefined : flatPrice.toDecimalPlaces(exponent);
  const chargeAmount = charge ?? ZERO;
  const perUnit = quantity.isZero() || net.minus(quantity.times(unitPrice).plus(chargeAmount)).abs().lessThanOrEqualTo(LINE_SLACK);
  return {
    id: String(index + 1),
    name: line.description,
    ...(line.meter === null ? {} : { sellerItemId: line.meter }),
    quantity: decimalText(quantity),
    unitCode: line.unitCode,
    // Per the line's quantity: quantity x (price / |quantity|) + charge is the net exactly.
    ...(perUnit
      ? { price: decimalText(unitPrice) }
      : { price: decimalText(net.minus(chargeAmount).times(quantity.isNegative() ? -1 : 1)), baseQuantity: decimalText(quantity.abs()) }),
    net: formatMinor(line.netAmount, currency),
    ...(charge === undefined ? {} : { charge: { amount: charge.toFixed(exponent), reason: 'Tier flat fee' } }),
    period: inclusiveDates(line.subscription ?? line.period),
    category: line.taxCategory,
    ...(line.taxCategory === 'O' ? {} : { rate: rateText(line.taxRate) }),
  };
}

/** "19" -> "19", "5.50" -> "5.5": the rate as EN 16931 compares it (BR-CO-17 etc. compare numbers). */
function rateText(rate: string): string {
  if (lastRate?.rate !== rate) lastRate = { rate, text: decimalText(decimal(rate)) };
  return lastRate.text;
}

/** The last rate rateText wrote: an invoice's lines mostly share one (parsing it is a decimal.js object or two). */
let lastRate: { readonly rate: string; readonly text: string } | undefined;

/** An instant range [start, end) as inclusive dates: the last day is the day before `end`. */
export function inclusiveDates(range: { readonly start: string; readonly end: string }): { start: string; end: string } {
  return { start: range.start.slice(0, 10), end: dayBefore(range.end) };
}

/** The date of the day before the instant `end` (UTC); the last answer is kept, since a document's lines share their period's end. */
function dayBefore(end: string): string {
  if (lastDayBefore?.end !== end) lastDayBefore = { end, date: new Date(Date.parse(end) - 1).toISOString().slice(0, 10) };
  return lastDayBefore.date;
}

let lastDayBefore: { readonly end: string; readonly date: string } | undefined;

export function spanOf(
  ranges: readonly { start: string; end: string }[],
  own: { start: string; end: string },
): { start: string; end: string } {
  return ranges.reduce(
    (span, range) => ({ start: range.start < span.start ? range.start : span.start, end: range.end > span.end ? range.end : span.end }),
    own,
  );
}
