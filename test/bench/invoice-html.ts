/**
 * The invoice as one self-contained HTML page, for the document benchmark only: it is the
 * "HTML printed to PDF by headless Chromium" side of the comparison with billflow's pdfkit
 * renderer (shared/adapters/pdf/invoice-pdf.ts). billflow does not send or store this HTML.
 *
 * It carries the same content as the PDF, with the same formatting helpers: issuer and buyer
 * blocks, number, dates and supply period, the line table (header repeated on every printed
 * page through <thead>, rows never split), totals beside the payment instructions, the VAT
 * summary and the legends. CSS is inline and nothing is fetched (no fonts, images or scripts);
 * DejaVu Sans is the system font, as the PDF embeds it. The footer ("Page i of n") is Chromium's
 * print footer: see `invoicePdfFooter`.
 */
import type { Invoice } from '#domain/invoice/invoice.ts';
import { formatQuantity } from '#domain/invoice/line-descriptions.ts';
import { DRAFT_MARKER } from '#adapters/pdf/invoice-pdf.ts';
import { addressLines, formatAmount, formatDate, formatIban, formatPeriod, formatRate, formatUnitPrice } from '#adapters/pdf/format.ts';
import { vatCategoryText } from '#adapters/pdf/document-words.ts';
import { translator } from '#domain/language/catalogue.ts';

const ENGLISH = translator('en');

const CSS = `
@page { size: A4; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; font-family: "DejaVu Sans", sans-serif; font-size: 9pt; line-height: 1.25; color: #1a1a1a; }
.letterhead { display: flex; justify-content: space-between; align-items: flex-start; min-height: 70pt; }
.wordmark { font-size: 15pt; font-weight: bold; color: #2f4f7f; }
.issuer { width: 210pt; }
.parties { display: flex; justify-content: space-between; align-items: flex-start; margin-top: 20pt; margin-bottom: 18pt; }
.buyer { width: 240pt; }
.details { width: 210pt; }
.label { font-size: 8pt; color: #5f6368; }
h1 { font-size: 22pt; margin: -6pt 0 4pt 0; }
h2 { font-size: 10.5pt; margin: 0 0 4pt 0; }
.pairs { border-collapse: collapse; width: 100%; }
.pairs th { font-weight: normal; font-size: 8pt; color: #5f6368; text-align: left; vertical-align: baseline; padding: 0 6pt 3pt 0; white-space: nowrap; }
.pairs td { vertical-align: baseline; padding: 0 0 3pt 0; }
.draft { font-weight: bold; margin-bottom: 8pt; }
table.grid { width: 100%; border-collapse: collapse; font-size: 8.5pt; }
table.grid thead { display: table-header-group; }
table.grid th { background: #eceff3; font-size: 8pt; font-weight: bold; padding: 4pt; text-align: left; }
table.grid td { padding: 4pt; border-bottom: 0.5pt solid #c9ccd1; vertical-align: top; }
table.grid tr { break-inside: avoid; page-break-inside: avoid; }
table.grid .num { text-align: right; white-space: nowrap; }
.summary { display: flex; justify-content: space-between; align-items: flex-start; gap: 24pt; margin-top: 14pt; break-inside: avoid; page-break-inside: avoid; }
.payment { flex: 1; }
.totals { width: 240pt; border-collapse: collapse; }
.totals td { padding: 3pt 4pt; }
.totals td.num { text-align: right; white-space: nowrap; }
.totals tr.strong td { font-weight: bold; }
.totals tr.rule td { border-top: 0.75pt solid #1a1a1a; }
.totals tr.due td { background: #eceff3; }
.vat { margin-top: 22pt; break-inside: avoid; page-break-inside: avoid; }
.note { margin-top: 16pt; padding: 7pt 12pt; background: #f5f6f8; border-left: 3pt solid #2f4f7f; font-weight: bold; break-inside: avoid; page-break-inside: avoid; }
`;

/** Chromium's print footer for this page (page.pdf's footerTemplate): issuer, VAT id, number, page i of n. */
export function invoicePdfFooter(invoice: Invoice): string {
  const number = invoice.number ?? DRAFT_MARKER;
  const issuer = [invoice.seller.name, invoice.seller.vatId === null ? null : `VAT ID ${invoice.seller.vatId}`, `Invoice ${number}`]
    .filter((part) => part !== null)
    .join(' · ');
  return (
    `<div style="width:100%;margin:0 18mm;padding-top:4pt;border-top:0.5pt solid #c9ccd1;display:flex;justify-content:space-between;` +
    `font-family:'DejaVu Sans',sans-serif;font-size:7.5pt;color:#5f6368;-webkit-print-color-adjust:exact">` +
    `<span>${escape(issuer)}</span><span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`
  );
}

/** The PDF margins matching the pdfkit renderer's (48 pt top, 72 pt bottom for the footer, 50 pt sides). */
export const INVOICE_PDF_MARGIN = { top: '17mm', bottom: '25.4mm', left: '17.6mm', right: '17.6mm' } as const;

export function renderInvoiceHtml(invoice: Invoice): string {
  const number = invoice.number ?? DRAFT_MARKER;
  const { seller, buyer, currency } = invoice;
  const amount = (minor: number): string => formatAmount(minor, currency);
  const lines = (values: readonly string[]): string => values.map((value) => `<div>${escape(value)}</div>`).join('');
  const pairs = (rows: readonly (readonly [string, string])[]): string =>
    `<table class="pairs">${rows.map(([label, value]) => `<tr><th>${escape(label)}</th><td>${escape(value)}</td></tr>`).join('')}</table>`;

  const details: [string, string][] = [
    ['Invoice number', number],
    ['Issue date', invoice.issueDate === null ? 'not yet issued' : formatDate(invoice.issueDate)],
    ['Supply period', formatPeriod(invoice.period)],
    ['Due date', invoice.dueDate === null ? '–' : formatDate(invoice.dueDate)],
    ['Customer ID', buyer.id],
    ['Currency', currency],
  ];

  const lineRows = invoice.lines
    .map(
      (line) =>
        `<tr><td>${escape(line.description)}</td><td class="num">${escape(formatQuantity(line.quantity))}</td>` +
        `<td class="num">${escape(formatUnitPrice(line.unitPrice, currency))}</td><td class="num">${escape(formatRate(line.taxRate))}</td>` +
        `<td class="num">${escape(amount(line.netAmount))}</td></tr>`,
    )
    .join('');

  let sentence: string;
  if (invoice.status === 'draft') {
    sentence = 'Payment details apply once the invoice is issued.';
  } else if (invoice.amountDue <= 0) {
    sentence = 'Nothing is due on this invoice.';
  } else {
    const by = invoice.dueDate === null ? '' : ` by ${formatDate(invoice.dueDate)}`;
    sentence = `Please transfer ${amount(invoice.amountDue)}${by} (${invoice.paymentTermsDays} days net), quoting the reference.`;
  }
  const payment: [string, string][] = [
    ['Account holder', seller.name],
    ['IBAN', formatIban(invoice.paymentMeans.iban)],
    ['BIC', invoice.paymentMeans.bic],
    ['Reference', invoice.paymentReference ?? invoice.number ?? DRAFT_MARKER],
    ['Due date', invoice.dueDate === null ? '–' : formatDate(invoice.dueDate)],
  ];

  const vatLabel =
    invoice.taxSubtotals.length === 1 && invoice.taxSubtotals[0] !== undefined ? `VAT ${formatRate(invoice.taxSubtotals[0].rate)}` : 'VAT';
  const paid = invoice.amountPaid !== 0;
  const totalRows = [
    `<tr><td>Net total</td><td class="num">${escape(amount(invoice.netTotal))}</td></tr>`,
    `<tr><td>${escape(vatLabel)}</td><td class="num">${escape(amount(invoice.taxTotal))}</td></tr>`,
    `<tr class="strong rule"><td>Total (${escape(currency)})</td><td class="num">${escape(amount(invoice.total))}</td></tr>`,
    paid ? `<tr><td>Amount paid</td><td class="num">${escape(amount(-invoice.amountPaid))}</td></tr>` : '',
    `<tr class="strong due${paid ? ' rule' : ''}"><td>Amount due</td><td class="num">${escape(amount(invoice.amountDue))}</td></tr>`,
  ].join('');

  const vatRows = invoice.taxSubtotals
    .map(
      (subtotal) =>
        `<tr><td>${escape(vatCategoryText(subtotal.category, ENGLISH))}</td><td class="num">${escape(formatRate(subtotal.rate))}</td>` +
        `<td class="num">${escape(amount(subtotal.taxableAmount))}</td><td class="num">${escape(amount(subtotal.taxAmount))}</td></tr>`,
    )
    .join('');

  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(invoice.number === null ? `Invoice ${DRAFT_MARKER}` : invoice.number)}</title>
<style>${CSS}</style></head>
<body>
<header class="letterhead">
  <div class="wordmark">${escape(seller.name)}</div>
  <div class="issuer"><div><b>${escape(seller.name)}</b></div>${lines(addressLines(seller.address))}${
    seller.vatId === null ? '' : `<div>VAT ID ${escape(seller.vatId)}</div>`
  }<div>${escape(seller.email)}</div></div>
</header>
<section class="parties">
  <div class="buyer"><div class="label">BILL TO</div><div style="font-size:10pt"><b>${escape(buyer.name)}</b></div>${lines(addressLines(buyer.address))}${
    buyer.vatId === null ? '' : `<div>VAT ID ${escape(buyer.vatId)}</div>`
  }</div>
  <div class="details"><h1>Invoice</h1>${pairs(details)}</div>
</section>
${invoice.status === 'draft' ? '<div class="draft">Draft: not yet issued, amounts may still change. Not a request for payment.</div>' : ''}
<table class="grid lines">
  <thead><tr><th>Description</th><th class="num">Quantity</th><th class="num">Unit price</th><th class="num">VAT</th><th class="num">Net amount</th></tr></thead>
  <tbody>${lineRows}</tbody>
</table>
<section class="summary">
  <div class="payment"><h2>Payment</h2><p style="margin:0 0 6pt 0">${escape(sentence)}</p>${pairs(payment)}</div>
  <table class="totals">${totalRows}</table>
</section>
<section class="vat"><h2>VAT summary</h2>
<table class="grid">
  <thead><tr><th>VAT category</th><th class="num">VAT rate</th><th class="num">Taxable amount</th><th class="num">VAT amount</th></tr></thead>
  <tbody>${vatRows}</tbody>
</table></section>
${invoice.legends.map((legend) => `<div class="note">${escape(legend)}</div>`).join('\n')}
</body></html>`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
