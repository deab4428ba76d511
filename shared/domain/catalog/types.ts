import type { EInvoiceFormat } from '../einvoice/format.ts';

/**
 * The catalog as the rest of billflow sees it, after validation (see ./schema.ts).
 * Prices and rates stay decimal strings: they are turned into exact decimals only where
 * money is computed, never into binary floats.
 */

export type Aggregation = 'count' | 'sum' | 'max' | 'unique_count' | 'latest';

export interface PostalAddress {
  readonly line1: string;
  readonly line2?: string;
  readonly city: string;
  readonly postalCode: string;
  readonly region?: string;
  /** ISO 3166-1 alpha-2, upper case. */
  readonly country: string;
}

export interface Issuer {
  readonly name: string;
  readonly address: PostalAddress;
  readonly vatId: string;
  readonly email: string;
  readonly invoicePrefix: string;
  readonly bank: { readonly iban: string; readonly bic: string };
  /** What XRechnung (seller contact, BR-DE-5/6) and Peppol (seller Peppol id, BT-34) need of the issuer. */
  readonly einvoice?: IssuerEInvoice;
  /** BCP 47: the language of customers without their own `language`; absent: English. */
  readonly defaultLanguage?: string;
}

export interface IssuerEInvoice {
  /** BT-41 seller contact point. */
  readonly contactName?: string;
  /** BT-42 seller contact telephone. */
  readonly contactPhone?: string;
  /** BT-34 as `scheme:id` (an EAS code, e.g. 0088:4035811991021). */
  readonly peppolId?: string;
}

/** The e-invoice XML a customer receives beside the PDF (every PDF carries Factur-X anyway). */
export interface CustomerEInvoice {
  readonly format: EInvoiceFormat;
  /** BT-10; XRechnung: the Leitweg-ID, required. */
  readonly buyerReference?: string;
  /** BT-49 as `scheme:id`; required for Peppol. */
  readonly peppolId?: string;
}

export interface Meter {
  readonly code: string;
  readonly eventType: string;
  readonly aggregation: Aggregation;
  /** Property of the event's `data` the meter reads; absent only for `count`. */
  readonly valueProperty?: string;
  /** UN/ECE Recommendation 20 unit code, C62 ("one") by default. */
  readonly unitCode: string;
}

export interface Tier {
  /** Inclusive upper bound of the tier in meter units; null for the last, open-ended tier. */
  readonly upTo: string | null;
  readonly unitPrice: string;
  /** Optional fixed amount charged once when usage reaches the tier. */
  readonly flatPrice?: string;
}

export type Charge =
  | { readonly meter: string; readonly model: 'per_unit'; readonly unitPrice: string }
  | { readonly meter: string; readonly model: 'graduated' | 'volume'; readonly tiers: readonly Tier[] }
  | { readonly meter: string; readonly model: 'package'; readonly packageSize: string; readonly packagePrice: string };

export interface Plan {
  readonly code: string;
  /** ISO 4217 code, upper case. */
  readonly currency: string;
  readonly baseFee: string;
  readonly minimumCommitment?: string;
  readonly charges: readonly Charge[];
}

export interface Customer {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly address: PostalAddress;
  readonly vatId?: string;
  /** Shorthand for one open-ended subscription with no start; exactly one of plan and subscriptions is set. */
  readonly plan?: string;
  /** The customer's subscriptions over time (../subscriptions/subscription.ts). */
  readonly subscriptions?: readonly SubscriptionTerm[];
  readonly paymentTermsDays: number;
  /** Absent: the PDF with its embedded Factur-X only. */
  readonly einvoice?: CustomerEInvoice;
  /** BCP 47: the language of the customer's invoices, emails and invoice page; absent: the issuer's default. */
  readonly language?: string;
  /**
   * When the customer first entered the catalog (ISO instant), as the store recorded it; never
   * in a document. A run that does not name its period bills no period that ended before it
   * unless the customer has events there (a backfill). Absent for customers stored before it
   * was recorded: no period is left out for them.
   */
  readonly enteredAt?: string;
}

/** One subscription as the catalog writes it: RFC 3339 instants on whole seconds. */
export interface SubscriptionTerm {
  readonly plan: string;
  readonly start: string;
  /** Exclusive; absent: open-ended. */
  readonly end?: string;
}

/** Overdue reminders (CONTRACTS.md section 4). */
export interface DunningSettings {
  /** Days past the due date at which a reminder is emailed: whole, 1-365, strictly increasing. */
  readonly reminderDays: readonly number[];
}

/** How the invoice run closes periods. */
export interface BillingSettings {
  /** Hours after a period's end before its invoice may be finalized: whole, 0-744. */
  readonly gracePeriodHours: number;
}

/** The catalog minus customers: small, read whole by every function that needs it. */
export interface CatalogHead {
  readonly issuer?: Issuer;
  /** Standard VAT rate per ISO country code, percent as a decimal string. */
  readonly taxRates: Readonly<Record<string, string>>;
  readonly meters: readonly Meter[];
  readonly plans: readonly Plan[];
  /** Absent until a document sets it: the defaults apply (reminderDaysOf in domain/dunning). */
  readonly dunning?: DunningSettings;
  /** Absent until a document sets it: a grace period of one hour (gracePeriodMsOf). */
  readonly billing?: BillingSettings;
}

/** A catalog document as applied by `billflow catalog apply`: every section optional (upsert). */
export interface CatalogDocument {
  readonly issuer?: Issuer;
  readonly taxRates?: Readonly<Record<string, string>>;
  readonly meters?: readonly Meter[];
  readonly plans?: readonly Plan[];
  readonly customers?: readonly Customer[];
  readonly dunning?: DunningSettings;
  readonly billing?: BillingSettings;
}

/** One validation problem, addressed by its path in the document. */
export interface CatalogIssue {
  /** e.g. `plans[0].charges[2].tiers[1].upTo` */
  readonly path: string;
  readonly message: string;
}
