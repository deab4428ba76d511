/**
 * An invoice as billflow's domain sees it. Amounts are integers in the currency's minor unit
 * (ISO 4217 exponent); quantities and unit prices are decimal strings. The fields map onto the
 * EN 16931 semantic model so a later step can emit Factur-X / XRechnung from them.
 */
import type { Customer, Issuer } from '../catalog/types.ts';
import type { LineText } from './line-text.ts';

/** EN 16931 VAT category codes used by billflow. */
export type VatCategory = 'S' | 'AE' | 'O' | 'Z';

export interface TaxTreatment {
  /** Percent as a decimal string, e.g. "19" or "0". */
  readonly rate: string;
  readonly category: VatCategory;
  /** Printed on the invoice (reverse charge, outside scope); absent for standard rates. */
  readonly legend?: string;
  /**
   * Country whose rate applies (issuer's, or the consumer's under OSS); absent for reverse
   * charge and outside scope, where no country's rate applies.
   */
  readonly rateCountry?: string;
}

export type LineKind = 'base_fee' | 'usage' | 'minimum_commitment';

export interface InvoiceLine {
  readonly kind: LineKind;
  /** In English, as built: what the e-invoice XML carries and older documents print. */
  readonly description: string;
  /** The description as catalogue phrases, for the documents in the customer's language; absent on lines stored before. */
  readonly describedAs?: LineText;
  /** Meter code for usage lines; null for the base fee and the minimum-commitment top-up. */
  readonly meter: string | null;
  /** The billing period the line's usage belongs to (differs from the invoice's for late usage). */
  readonly period: { readonly start: string; readonly end: string };
  /** The quantity the line was priced on, decimal string (packages for the package model). */
  readonly quantity: string;
  /** UN/ECE Recommendation 20 unit code. */
  readonly unitCode: string;
  /** Decimal string, up to 12 fraction digits. */
  readonly unitPrice: string;
  /** Minor units, rounded half-up from quantity x unit price (+ any flat tier fee). */
  readonly netAmount: number;
  readonly taxRate: string;
  readonly taxCategory: VatCategory;
  /** For graduated and volume pricing: which tier (1-based) this line prices. */
  readonly tier?: number;
  /** A tier's flat fee included in netAmount (decimal string), when the line charges one. */
  readonly flatPrice?: string;
  /**
   * Lines of a subscription segment that is not its whole period: which plan, which dates
   * (BG-26 invoice line period) and the share of the period a base fee or minimum was prorated by.
   */
  readonly subscription?: LineSubscription;
}

export interface LineSubscription {
  readonly plan: string;
  /** ISO instant, inclusive. */
  readonly start: string;
  /** ISO instant, exclusive. */
  readonly end: string;
  /** The segment's share of its period: seconds / periodSeconds, whole seconds. */
  readonly seconds: number;
  readonly periodSeconds: number;
}

export interface TaxSubtotal {
  readonly rate: string;
  readonly category: VatCategory;
  /** Sum of the net line amounts at this rate, minor units. */
  readonly taxableAmount: number;
  /** taxableAmount x rate / 100, rounded half-up once per rate, minor units. */
  readonly taxAmount: number;
}

/** What pricing needs to know about one meter's usage in one period. */
export interface MeterUsage {
  readonly meter: string;
  /** `YYYY-MM` of the usage (the invoice's own period, or an earlier one for late events). */
  readonly period: string;
  /** Aggregated quantity, decimal string. */
  readonly quantity: string;
  /** Distinct events that fed it. */
  readonly eventCount: number;
  /**
   * The subscription segment of the period the usage was priced in, by its start (ISO
   * instant); absent when the period has one segment.
   */
  readonly segment?: string;
  /**
   * Late usage only: the quantity of this meter and period already billed on earlier invoices.
   * Pricing continues from it (no fresh free tier, no second partial package). `quantity` is
   * then the increase to bill: the late events' count or sum, or for max, latest and
   * unique_count the period's new quantity minus this one. Absent means nothing billed yet.
   */
  readonly billedQuantity?: string;
}

export interface InvoiceComputation {
  readonly currency: string;
  readonly lines: readonly InvoiceLine[];
  readonly taxSubtotals: readonly TaxSubtotal[];
  readonly netTotal: number;
  readonly taxTotal: number;
  /** netTotal + taxTotal, exactly. */
  readonly total: number;
  readonly tax: TaxTreatment;
  /** Legends to print (reverse charge, outside scope). */
  readonly legends: readonly string[];
}

export interface InvoiceParties {
  readonly seller: Issuer;
  readonly buyer: Customer;
}
