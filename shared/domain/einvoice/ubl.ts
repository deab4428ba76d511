/**
 * EN 16931 in OASIS UBL 2.1 syntax: XRechnung UBL and Peppol BIS Billing 3.0.
 * Element order follows the UBL 2.1 Invoice schema (the XSD checks it). A credit note (type
 * 381) is UBL's own CreditNote document: its root, type code, lines (CreditedQuantity) and the
 * due date inside the payment means, as the CreditNote schema and EN 16931's binding place them.
 */
import type { En16931Invoice, En16931Line, En16931Party } from './model.ts';
import { serializeXml, text, type XmlElement, type XmlNode } from './xml-tree.ts';

const NAMESPACES = {
  '@xmlns:cac': 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
  '@xmlns:cbc': 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
};

const VAT_SCHEME = { 'cac:TaxScheme': { 'cbc:ID': 'VAT' } };

export function writeUbl(invoice: En16931Invoice): string {
  const amount = (value: string): XmlNode => text(value, { currencyID: invoice.currency });
  const credit = invoice.typeCode === '381';
  const root = credit ? 'CreditNote' : 'Invoice';
  return serializeXml({
    [root]: {
      '@xmlns': `urn:oasis:names:specification:ubl:schema:xsd:${root}-2`,
      ...NAMESPACES,
      'cbc:CustomizationID': invoice.specification,
      'cbc:ProfileID': invoice.businessProcess,
      'cbc:ID': invoice.number,
      'cbc:IssueDate': invoice.issueDate,
      'cbc:DueDate': credit ? undefined : invoice.dueDate,
      'cbc:InvoiceTypeCode': credit ? undefined : invoice.typeCode,
      'cbc:CreditNoteTypeCode': credit ? invoice.typeCode : undefined,
      'cbc:Note': invoice.notes.map((note) => note),
      'cbc:DocumentCurrencyCode': invoice.currency,
      'cbc:BuyerReference': invoice.buyerReference,
      'cac:InvoicePeriod': period(invoice.period),
      // BG-3: the invoice a credit note corrects.
      'cac:BillingReference':
        invoice.precedingInvoice === undefined
          ? undefined
          : {
              'cac:InvoiceDocumentReference': {
                'cbc:ID': invoice.precedingInvoice.number,
                'cbc:IssueDate': invoice.precedingInvoice.issueDate,
              },
            },
      'cac:AccountingSupplierParty': { 'cac:Party': party(invoice.seller) },
      'cac:AccountingCustomerParty': { 'cac:Party': party(invoice.buyer) },
      'cac:PaymentMeans': {
        'cbc:PaymentMeansCode': invoice.payment.meansCode,
        // BT-9 of a credit note: CreditNote has no DueDate of its own.
        'cbc:PaymentDueDate': credit ? invoice.dueDate : undefined,
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
      [credit ? 'cac:CreditNoteLine' : 'cac:InvoiceLine']: invoice.lines.map((line) => invoiceLine(line, amount, credit)),
    },
  });
}

function invoiceLine(line: En16931Line, amount: (value: string) => XmlNode, credit: boolean): XmlElement {
  return {
    'cbc:ID': line.id,
    [credit ? 'cbc:CreditedQuantity' : 'cbc:InvoicedQuantity']: text(line.quantity, { unitCode: line.unitCode }),
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
