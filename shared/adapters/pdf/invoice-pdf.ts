/**
 * Renders an invoice record as the PDF a customer's finance department files: an A4 page with
 * every field EU VAT Directive Art. 226 asks for (CONTRACTS.md section 4), text that pdftotext
 * extracts, and the same bytes every time for the same invoice and creation date.
 *
 * Where each thing goes is document-pdf.ts, shared with credit notes; here is what an invoice
 * says: its number, dates and supply period, a draft's warning, its lines, the totals with what
 * was paid and what is due, and the payment instructions beside them.
 */
import type { Invoice } from '#domain/invoice/invoice.ts';
import { canBeEInvoice, einvoiceDocument, type EInvoiceDocument } from '#domain/einvoice/einvoice.ts';
import { formatAmount, formatDate, formatIban, formatPeriod } from './format.ts';
import { CONTENT, type PageFlow } from './layout.ts';
import { pairs, renderDocumentPdf, SIDE_WIDTH, sideHeading, vatTotalLabel, type TotalsRow } from './document-pdf.ts';
import { InvoiceNotRenderableError } from '../errors.ts';

export interface RenderInvoicePdfOptions {
  /**
   * The PDF's creation date (document info). Defaults to when the invoice was finalized (or last
   * updated, for a draft), so rendering the same record again gives the same bytes.
   */
  readonly creationDate?: Date;
  /**
   * The Factur-X XML to embed (the PDF is then PDF/A-3b). Default: the invoice's own, EN 16931
   * profile, whenever it can be an e-invoice (issued, currency with at most two decimals);
   * null: a plain PDF.
   */
  readonly facturX?: EInvoiceDocument | null;
}

/** Shown where a draft, which has no number yet, would show it. */
export const DRAFT_MARKER = 'DRAFT';

export async function renderInvoicePdf(invoice: Invoice, options: RenderInvoicePdfOptions = {}): Promise<Buffer> {
  if (invoice.status === 'not_issued') {
    throw new InvoiceNotRenderableError(
      `Invoice of customer ${invoice.customerId} for ${invoice.billingPeriod} was not issued; there is nothing to render`,
    );
  }
  const number = invoice.number ?? DRAFT_MARKER;
  return renderDocumentPdf({
    title: 'Invoice',
    number,
    seller: invoice.seller,
    buyer: invoice.buyer,
    details: [
      ['Invoice number', number],
      ['Issue date', invoice.issueDate === null ? 'not yet issued' : formatDate(invoice.issueDate)],
      ['Supply period', formatPeriod(invoice.period)],
      ['Due date', invoice.dueDate === null ? '–' : formatDate(invoice.dueDate)],
      ['Customer ID', invoice.buyer.id],
      ['Currency', invoice.currency],
    ],
    notices: invoice.status === 'draft' ? ['Draft: not yet issued, amounts may still change. Not a request for payment.'] : [],
    currency: invoice.currency,
    lines: invoice.lines,
    taxSubtotals: invoice.taxSubtotals,
    legends: invoice.legends,
    totals: () => totals(invoice),
    side: (flow, y, draw) => payment(flow, invoice, y, draw),
    info: {
      title: invoice.number === null ? `Invoice ${DRAFT_MARKER}` : invoice.number,
      subject: `Invoice to ${invoice.buyer.name} for ${formatPeriod(invoice.period)}`,
    },
    creationDate: options.creationDate ?? new Date(invoice.finalizedAt ?? invoice.updatedAt),
    facturX: options.facturX === undefined ? defaultFacturX(invoice) : options.facturX,
  });
}

function defaultFacturX(invoice: Invoice): EInvoiceDocument | null {
  return canBeEInvoice(invoice) ? einvoiceDocument(invoice, 'facturx', invoice.einvoice?.options) : null;
}

/** At the right, amounts aligned with the net amount column, so the totals read down from the lines. */
function totals(invoice: Invoice): TotalsRow[] {
  const amount = (minor: number): string => formatAmount(minor, invoice.currency);
  const vatLabel = vatTotalLabel(invoice.taxSubtotals);
  const paid = invoice.amountPaid !== 0;
  // The customer balance used at finalization (issue 16, EN 16931 BT-113); no row without one.
  const credited = (invoice.balanceApplied ?? 0) > 0;
  const rows: TotalsRow[] = [
    { label: 'Net total', value: amount(invoice.netTotal) },
    { label: vatLabel, value: amount(invoice.taxTotal) },
    { label: `Total (${invoice.currency})`, value: amount(invoice.total), strong: true, ruleAbove: true },
    ...(credited ? [{ label: 'Credit applied', value: amount(-invoice.balanceApplied!) }] : []),
    ...(paid ? [{ label: 'Amount paid', value: amount(-invoice.amountPaid) }] : []),
    { label: 'Amount due', value: amount(invoice.amountDue), strong: true, ruleAbove: paid || credited, shaded: true },
  ];

  return rows;
}

/** Payment instructions (EN 16931 payment means 58, credit transfer), left of the totals. */
function payment(flow: PageFlow, invoice: Invoice, y: number, draw: boolean): number {
  let sentence: string;
  if (invoice.status === 'draft') {
    sentence = 'Payment details apply once the invoice is issued.';
  } else if (invoice.amountDue <= 0) {
    sentence = 'Nothing is due on this invoice.';
  } else {
    const by = invoice.dueDate === null ? '' : ` by ${formatDate(invoice.dueDate)}`;
    sentence = `Please transfer ${formatAmount(invoice.amountDue, invoice.currency)}${by} (${invoice.paymentTermsDays} days net), quoting the reference.`;
  }
  const rows: [string, string][] = [
    ['Account holder', invoice.seller.name],
    ['IBAN', formatIban(invoice.paymentMeans.iban)],
    ['BIC', invoice.paymentMeans.bic],
    ['Reference', invoice.paymentReference ?? invoice.number ?? DRAFT_MARKER],
    ['Due date', invoice.dueDate === null ? '–' : formatDate(invoice.dueDate)],
  ];
  let height = sideHeading(flow, 'Payment', sentence, y, draw);
  height += pairs(flow, rows, CONTENT.left, SIDE_WIDTH, 78, y + height, draw);
  return height;
}
