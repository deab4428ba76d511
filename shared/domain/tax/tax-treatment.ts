/**
 * Which VAT applies to an invoice (CONTRACTS.md section 2), decided once per invoice from where
 * the issuer and the customer are and whether the customer gave a VAT id:
 *
 * 1. customer in the issuer's country: the issuer country's rate (S, or Z when that rate is 0);
 * 2. EU business (VAT id) in another member state: reverse charge, 0 %, AE, with the legend;
 * 3. EU consumer (no VAT id) in another member state: the consumer's country's rate (OSS);
 * 4. customer outside the EU: 0 %, O, with the legend.
 *
 * billflow invoices electronically supplied services, so the place of supply is the customer's
 * country; special territories (Canary Islands, Northern Ireland) are not modelled.
 */
import { isEuMemberState } from '../catalog/countries.ts';
import type { TaxTreatment } from '../invoice/types.ts';
import { decimal } from '../money.ts';

export const REVERSE_CHARGE_LEGEND = 'Reverse charge - VAT to be accounted for by the recipient (Art. 196 Directive 2006/112/EC)';
export const OUTSIDE_SCOPE_LEGEND = 'Outside the scope of EU VAT';

export interface TaxCustomer {
  readonly address: { readonly country: string };
  readonly vatId?: string;
}

export function taxTreatment(issuerCountry: string, customer: TaxCustomer, taxRates: Readonly<Record<string, string>>): TaxTreatment {
  if (!isEuMemberState(issuerCountry)) {
    throw new Error(`The issuer is in ${issuerCountry}, which is not an EU member state; billflow only knows EU VAT rules`);
  }
  const customerCountry = customer.address.country;
  if (customerCountry === issuerCountry) return countryRate(customerCountry, taxRates, 'the issuer is there and so is the customer');
  if (!isEuMemberState(customerCountry)) return { rate: '0', category: 'O', legend: OUTSIDE_SCOPE_LEGEND };
  // A blank VAT id is no VAT id: the customer would otherwise escape VAT without being a business.
  if (customer.vatId !== undefined && customer.vatId.trim() !== '') {
    return { rate: '0', category: 'AE', legend: REVERSE_CHARGE_LEGEND };
  }
  return countryRate(customerCountry, taxRates, "EU consumers pay their own country's VAT (OSS)");
}

/** A country's standard rate; a zero rate is category Z (zero-rated), not S. */
function countryRate(country: string, taxRates: Readonly<Record<string, string>>, why: string): TaxTreatment {
  const rate = Object.hasOwn(taxRates, country) ? taxRates[country] : undefined;
  if (rate === undefined) {
    throw new Error(
      `No VAT rate for ${country} in the catalog's taxRates, and one is needed (${why}); add e.g. taxRates: { ${country}: "20" }`,
    );
  }
  return { rate, category: decimal(rate).isZero() ? 'Z' : 'S', rateCountry: country };
}
