/**
 * EN 16931 in OASIS UBL 2.1 syntax: XRechnung UBL and Peppol BIS Billing 3.0.
 * Element order follows the UBL 2.1 Invoice schema (the XSD checks it).
 */
import type { En16931Invoice, En16931Line, En16931Party } from './model.ts';
import { serializeXml, text, type XmlElement } from './xml-tree.ts';

const NAMESPACES = {
  '@xmlns': 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
  '@xmlns:cac': 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
  '@xmlns:cbc': 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
};

const VAT_SCHEME = { 'cac:TaxScheme': { 'cbc:ID': 'VAT' } };

export function writeUbl(invoice: En16931Invoice): string {
  const amount = (value: string): XmlElement | undefined => text(value, { currencyID: invoice.currency });
  return serializeXml({
    Invoice: {
      ...NAMESPACES,
      'cbc:CustomizationID': invoice.specification,
      'cbc:ProfileID': invoice.businessProcess,
      'cbc:ID': invoice.number,
      'cbc:IssueDate': invoice.issueDate,
      'cbc:DueDate': invoice.dueDate,
      'cbc:InvoiceTypeCode': invoice.typeCode,
      'cbc:Note': invoice.notes.map((note) => note),
      'cbc:DocumentCurrencyCode': invoice.currency,
      'cbc:BuyerReference': invoice.buyerReference,
      'cac:InvoicePeriod': period(invoice.period),
      'cac:AccountingSupplierParty': { 'cac:Party': party(invoice.seller) },
      'cac:AccountingCustomerParty': { 'cac:Party': party(invoice.buyer) },
      'cac:PaymentMeans': {
        'cbc:PaymentMeansCode': invoice.payment.meansCode,
        'cbc:PaymentID': invoice.payment.reference,
        'cac:PayeeFinancialAccount': {
          'cbc:ID': invoice.payment.iban,
          'cac:FinancialInstitutionBranch': { 'cbc:ID': invoice.payment.bic },
        },
      },
      'cac:PaymentTerms': { 'cbc:Note': invoice.payment.terms },
      'cac:TaxTotal': {
        'cbc:TaxAmount': amount(invoice.totals.tax),
        'cac:TaxSubtotal': invoice.vat.map((vat) => ({
          'cbc:TaxableAmount': amount(vat.taxable),
          'cbc:TaxAmount': amount(vat.tax),
          'cac:TaxCategory': {
            'cbc:ID': vat.category,
            'cbc:Percent': vat.rate,
            'cbc:TaxExemptionReasonCode': vat.exemptionCode,
            'cbc:TaxExemptionReason': vat.exemptionReason,
            ...VAT_SCHEME,
          },
        })),
      },
      'cac:LegalMonetaryTotal': {
        'cbc:LineExtensionAmount': amount(invoice.totals.lines),
        'cbc:TaxExclusiveAmount': amount(invoice.totals.taxExclusive),
        'cbc:TaxInclusiveAmount': amount(invoice.totals.taxInclusive),
        'cbc:PrepaidAmount': invoice.totals.prepaid === undefined ? undefined : amount(invoice.totals.prepaid),
        'cbc:PayableAmount': amount(invoice.totals.payable),
      },
      'cac:InvoiceLine': invoice.lines.map((line) => invoiceLine(line, amount)),
    },
  });
}

function invoiceLine(line: En16931Line, amount: (value: string) => XmlElement | undefined): XmlElement {
  return {
    'cbc:ID': line.id,
    'cbc:InvoicedQuantity': text(line.quantity, { unitCode: line.unitCode }),
    'cbc:LineExtensionAmount': amount(line.net),
    'cac:InvoicePeriod': period(line.period),
    'cac:AllowanceCharge':
      line.charge === undefined
        ? undefined
        : { 'cbc:ChargeIndicator': 'true', 'cbc:AllowanceChargeReason': line.charge.reason, 'cbc:Amount': amount(line.charge.amount) },
    'cac:Item': {
      'cbc:Name': line.name,
      'cac:SellersItemIdentification': line.sellerItemId === undefined ? undefined : { 'cbc:ID': line.sellerItemId },
      'cac:ClassifiedTaxCategory': { 'cbc:ID': line.category, 'cbc:Percent': line.rate, ...VAT_SCHEME },
    },
    'cac:Price': {
      'cbc:PriceAmount': amount(line.price),
      'cbc:BaseQuantity': line.baseQuantity === undefined ? undefined : text(line.baseQuantity, { unitCode: line.unitCode }),
    },
  };
}

function party(who: En16931Party): XmlElement {
  const { address, contact } = who;
  return {
    'cbc:EndpointID': text(who.endpoint.id, { schemeID: who.endpoint.scheme }),
    'cac:PartyIdentification': who.id === undefined ? undefined : { 'cbc:ID': who.id },
    'cac:PostalAddress': {
      'cbc:StreetName': address.line1,
      'cbc:AdditionalStreetName': address.line2,
      'cbc:CityName': address.city,
      'cbc:PostalZone': address.postalCode,
      'cbc:CountrySubentity': address.region,
      'cac:Country': { 'cbc:IdentificationCode': address.country },
    },
    'cac:PartyTaxScheme': who.vatId === undefined ? undefined : { 'cbc:CompanyID': who.vatId, ...VAT_SCHEME },
    'cac:PartyLegalEntity': { 'cbc:RegistrationName': who.name },
    'cac:Contact':
      contact === undefined
        ? undefined
        : { 'cbc:Name': contact.name, 'cbc:Telephone': contact.telephone, 'cbc:ElectronicMail': contact.email },
  };
}

function period(range: { readonly start: string; readonly end: string }): XmlElement {
  return { 'cbc:StartDate': range.start, 'cbc:EndDate': range.end };
}
