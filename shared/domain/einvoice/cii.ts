/**
 * EN 16931 in UN/CEFACT CII D16B syntax: Factur-X (profile EN 16931) and XRechnung CII.
 * Element order follows the CII D16B schema (the XSD checks it); business terms in comments.
 */
import type { En16931Invoice, En16931Line, En16931Party } from './model.ts';
import { EMPTY_ELEMENT, serializeXml, text, type XmlElement, type XmlNode } from './xml-tree.ts';

const NAMESPACES = {
  '@xmlns:rsm': 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100',
  '@xmlns:ram': 'urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100',
  '@xmlns:qdt': 'urn:un:unece:uncefact:data:standard:QualifiedDataType:100',
  '@xmlns:udt': 'urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100',
};

export function writeCii(invoice: En16931Invoice): string {
  const amount = (value: string): XmlNode => text(value);
  return serializeXml({
    'rsm:CrossIndustryInvoice': {
      ...NAMESPACES,
      'rsm:ExchangedDocumentContext': {
        'ram:BusinessProcessSpecifiedDocumentContextParameter':
          invoice.businessProcess === undefined ? undefined : { 'ram:ID': invoice.businessProcess },
        'ram:GuidelineSpecifiedDocumentContextParameter': { 'ram:ID': invoice.specification },
      },
      'rsm:ExchangedDocument': {
        'ram:ID': invoice.number,
        'ram:TypeCode': invoice.typeCode,
        'ram:IssueDateTime': date(invoice.issueDate),
        'ram:IncludedNote': invoice.notes.map((note) => ({ 'ram:Content': note })),
      },
      'rsm:SupplyChainTradeTransaction': {
        'ram:IncludedSupplyChainTradeLineItem': invoice.lines.map(lineItem),
        'ram:ApplicableHeaderTradeAgreement': {
          'ram:BuyerReference': invoice.buyerReference,
          'ram:SellerTradeParty': tradeParty(invoice.seller),
          'ram:BuyerTradeParty': tradeParty(invoice.buyer),
        },
        // No delivery data (BG-13): the services are billed by period (BG-14); CII still requires the element.
        'ram:ApplicableHeaderTradeDelivery': EMPTY_ELEMENT,
        'ram:ApplicableHeaderTradeSettlement': {
          'ram:PaymentReference': invoice.payment.reference,
          'ram:InvoiceCurrencyCode': invoice.currency,
          'ram:SpecifiedTradeSettlementPaymentMeans': {
            'ram:TypeCode': invoice.payment.meansCode,
            'ram:PayeePartyCreditorFinancialAccount': { 'ram:IBANID': invoice.payment.iban },
            'ram:PayeeSpecifiedCreditorFinancialInstitution': { 'ram:BICID': invoice.payment.bic },
          },
          'ram:ApplicableTradeTax': invoice.vat.map((vat) => ({
            'ram:CalculatedAmount': vat.tax,
            'ram:TypeCode': 'VAT',
            'ram:ExemptionReason': vat.exemptionReason,
            'ram:BasisAmount': vat.taxable,
            'ram:CategoryCode': vat.category,
            'ram:ExemptionReasonCode': vat.exemptionCode,
            'ram:RateApplicablePercent': vat.rate,
          })),
          'ram:BillingSpecifiedPeriod': period(invoice.period),
          'ram:SpecifiedTradePaymentTerms': {
            'ram:Description': invoice.payment.terms,
            'ram:DueDateDateTime': date(invoice.dueDate),
          },
          'ram:SpecifiedTradeSettlementHeaderMonetarySummation': {
            'ram:LineTotalAmount': amount(invoice.totals.lines),
            'ram:TaxBasisTotalAmount': amount(invoice.totals.taxExclusive),
            // BT-110 is the one CII amount that states its currency.
            'ram:TaxTotalAmount': text(invoice.totals.tax, { currencyID: invoice.currency }),
            'ram:GrandTotalAmount': amount(invoice.totals.taxInclusive),
            'ram:TotalPrepaidAmount': invoice.totals.prepaid === undefined ? undefined : amount(invoice.totals.prepaid),
            'ram:DuePayableAmount': amount(invoice.totals.payable),
          },
          // BG-3: the invoice a credit note corrects (after the summation, as D16B orders them).
          'ram:InvoiceReferencedDocument':
            invoice.precedingInvoice === undefined
              ? undefined
              : {
                  'ram:IssuerAssignedID': invoice.precedingInvoice.number,
                  'ram:FormattedIssueDateTime': {
                    'qdt:DateTimeString': text(compact(invoice.precedingInvoice.issueDate), { format: '102' }),
                  },
                },
        },
      },
    },
  });
}

function lineItem(line: En16931Line): XmlElement {
  return {
    'ram:AssociatedDocumentLineDocument': { 'ram:LineID': line.id },
    'ram:SpecifiedTradeProduct': { 'ram:SellerAssignedID': line.sellerItemId, 'ram:Name': line.name },
    'ram:SpecifiedLineTradeAgreement': {
      'ram:NetPriceProductTradePrice': {
        'ram:ChargeAmount': line.price,
        'ram:BasisQuantity': line.baseQuantity === undefined ? undefined : text(line.baseQuantity, { unitCode: line.unitCode }),
      },
    },
    'ram:SpecifiedLineTradeDelivery': { 'ram:BilledQuantity': text(line.quantity, { unitCode: line.unitCode }) },
    'ram:SpecifiedLineTradeSettlement': {
      'ram:ApplicableTradeTax': { 'ram:TypeCode': 'VAT', 'ram:CategoryCode': line.category, 'ram:RateApplicablePercent': line.rate },
      'ram:BillingSpecifiedPeriod': period(line.period),
      'ram:SpecifiedTradeAllowanceCharge':
        line.charge === undefined
          ? undefined
          : {
              'ram:ChargeIndicator': { 'udt:Indicator': 'true' },
              'ram:ActualAmount': line.charge.amount,
              'ram:Reason': line.charge.reason,
            },
      'ram:SpecifiedTradeSettlementLineMonetarySummation': { 'ram:LineTotalAmount': line.net },
    },
  };
}

function tradeParty(party: En16931Party): XmlElement {
  const { address, contact } = party;
  return {
    'ram:ID': party.id,
    'ram:Name': party.name,
    'ram:DefinedTradeContact':
      contact === undefined
        ? undefined
        : {
            'ram:PersonName': contact.name,
            'ram:TelephoneUniversalCommunication':
              contact.telephone === undefined ? undefined : { 'ram:CompleteNumber': contact.telephone },
            'ram:EmailURIUniversalCommunication': contact.email === undefined ? undefined : { 'ram:URIID': contact.email },
          },
    'ram:PostalTradeAddress': {
      'ram:PostcodeCode': address.postalCode,
      'ram:LineOne': address.line1,
      'ram:LineTwo': address.line2,
      'ram:CityName': address.city,
      'ram:CountryID': address.country,
      'ram:CountrySubDivisionName': address.region,
    },
    'ram:URIUniversalCommunication': { 'ram:URIID': text(party.endpoint.id, { schemeID: party.endpoint.scheme }) },
    'ram:SpecifiedTaxRegistration': party.vatId === undefined ? undefined : { 'ram:ID': text(party.vatId, { schemeID: 'VA' }) },
  };
}

/** A date as CII writes it: format 102, YYYYMMDD. */
function date(isoDate: string): XmlElement {
  return { 'udt:DateTimeString': text(compact(isoDate), { format: '102' }) };
}

function compact(isoDate: string): string {
  return isoDate.replaceAll('-', '');
}

function period(range: { readonly start: string; readonly end: string }): XmlElement {
  return { 'ram:StartDateTime': date(range.start), 'ram:EndDateTime': date(range.end) };
}
