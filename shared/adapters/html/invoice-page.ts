/**
 * The hosted invoice page (issue 20, `{apiUrl}/i/{token}`): one invoice as the customer opens it
 * from the email, in the invoice's language. Static HTML with its own small stylesheet: no
 * JavaScript, no external resources (fonts, images, scripts), nothing about the issuer's other
 * customers or invoices. The EPC QR code is inline SVG with a text alternative; the lines and
 * totals are a table with headers; the status is text, never color alone.
 */
import { lineDescription } from '#domain/language/line-words.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import { epcPaymentCode, invoiceCreditTransfer } from '#domain/payments/epc-payment-code.ts';
import { escapeHtml } from '#domain/language/email-words.ts';
import { documentWords, legendText, type DocumentWords } from '../pdf/document-words.ts';
import { darkRuns, epcQrMatrix, QUIET_ZONE_MODULES, type QrMatrix } from '../pdf/epc-qr.ts';
import { addressLines, formatIban } from '../pdf/format.ts';

export interface InvoicePageLinks {
  /** Where the PDF is downloaded (relative to the page, or absolute). */
  readonly pdf: string;
  /** The e-invoice XML, where the invoice has one. */
  readonly xml?: string;
}

export type InvoicePageStatus = 'paid' | 'due' | 'overdue';

/** Paid when nothing is due; overdue after its due date (a calendar day, UTC); else due. */
export function invoicePageStatus(invoice: Invoice, now: number): InvoicePageStatus {
  if (invoice.amountDue <= 0) return 'paid';
  if (invoice.dueDate !== null && now >= Date.parse(`${invoice.dueDate}T00:00:00Z`) + 86_400_000) return 'overdue';
  return 'due';
}

const CSS = `
:root { color-scheme: light; }
body { margin: 0; font-family: "DejaVu Sans", "IPAexGothic", system-ui, sans-serif; color: #1a1a1a; background: #f5f6f8; line-height: 1.45; }
main { max-width: 46rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; background: #fff; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.1rem; margin: 1.75rem 0 .5rem; }
.issuer { color: #3c4043; margin: 0 0 1rem; }
.status { display: inline-block; padding: .2rem .6rem; border: 2px solid; border-radius: .3rem; font-weight: bold; }
.status-paid { color: #1e6b34; } .status-due { color: #1f3f6e; } .status-overdue { color: #a1261b; }
.amount { font-size: 1.5rem; font-weight: bold; margin: .75rem 0; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #c9ccd1; vertical-align: top; }
td.num, th.num { text-align: right; white-space: nowrap; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0; }
dt { color: #3c4043; } dd { margin: 0; font-family: "DejaVu Sans Mono", monospace; }
.pay { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: center; }
.pay svg { width: 10rem; height: 10rem; }
.downloads a { display: inline-block; margin: 0 1rem .5rem 0; padding: .5rem .9rem; border: 1px solid #2f4f7f; border-radius: .3rem; color: #1f3f6e; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.legend { border-left: 3px solid #2f4f7f; background: #f5f6f8; padding: .5rem .75rem; }
`;

export function renderInvoicePage(invoice: Invoice, links: InvoicePageLinks, now: number): string {
  if (invoice.number === null || invoice.dueDate === null) throw new Error('only an issued invoice has a page');
  const words = documentWords(invoice.language);
  const { t, format } = words;
  const number = invoice.number;
  const amount = (minor: number) => format.amount(minor, invoice.currency);
  const status = invoicePageStatus(invoice, now);
  const dueDate = format.date(invoice.dueDate);
  const statusText = status === 'paid' ? t('page.paid') : t(status === 'due' ? 'page.dueBy' : 'page.overdueSince', { date: dueDate });
  const title = t('page.title', { number, issuer: invoice.seller.name });
  const html = escapeHtml;
  return `<!doctype html>
<html lang="${html(words.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>${html(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>${html(t('invoice.title'))} ${html(number)}</h1>
<p class="issuer">${html([invoice.seller.name, ...addressLines(invoice.seller.address, format.country)].join(', '))}</p>
<p><span class="visually-hidden">${html(t('page.status'))}: </span><span class="status status-${status}">${html(statusText)}</span></p>
<p class="amount">${html(t('invoice.amountDue'))}: ${html(amount(invoice.amountDue))}</p>
<p class="downloads"><a href="${html(links.pdf)}" download="${html(number)}.pdf">${html(t('page.downloadPdf'))}</a>${
    links.xml === undefined ? '' : `<a href="${html(links.xml)}" download="${html(number)}.xml">${html(t('page.downloadXml'))}</a>`
  }</p>
${status === 'paid' ? '' : payment(invoice, words)}
<h2>${html(t('invoice.supplyPeriod'))}: ${html(format.period(invoice.period))}</h2>
<table>
<caption class="visually-hidden">${html(title)}</caption>
<thead><tr><th scope="col">${html(t('invoice.column.description'))}</th><th scope="col" class="num">${html(t('invoice.column.quantity'))}</th><th scope="col" class="num">${html(t('invoice.column.netAmount'))}</th></tr></thead>
<tbody>
${invoice.lines.map((line) => `<tr><td>${html(lineDescription(line, words.language))}</td><td class="num">${html(format.quantity(line.quantity))}</td><td class="num">${html(amount(line.netAmount))}</td></tr>`).join('\n')}
</tbody>
<tfoot>
<tr><th scope="row" colspan="2">${html(t('invoice.netTotal'))}</th><td class="num">${html(amount(invoice.netTotal))}</td></tr>
<tr><th scope="row" colspan="2">${html(t('invoice.vat'))}</th><td class="num">${html(amount(invoice.taxTotal))}</td></tr>
<tr><th scope="row" colspan="2">${html(t('invoice.total', { currency: invoice.currency }))}</th><td class="num">${html(amount(invoice.total))}</td></tr>
</tfoot>
</table>
${invoice.legends.map((legend) => `<p class="legend">${html(legendText(legend, t))}</p>`).join('\n')}
</main>
</body>
</html>
`;
}

function payment(invoice: Invoice, { t, format }: DocumentWords): string {
  const html = escapeHtml;
  const transfer = invoiceCreditTransfer(invoice);
  const qr =
    transfer === null
      ? ''
      : qrSvg(epcQrMatrix(epcPaymentCode(transfer)), t('page.qrLabel', { amount: format.amount(invoice.amountDue, invoice.currency) }));
  return `<h2>${html(t('page.payByTransfer'))}</h2>
<div class="pay">
<dl>
<dt>${html(t('invoice.accountHolder'))}</dt><dd>${html(invoice.seller.name)}</dd>
<dt>${html(t('invoice.iban'))}</dt><dd>${html(formatIban(invoice.paymentMeans.iban))}</dd>
<dt>${html(t('invoice.bic'))}</dt><dd>${html(invoice.paymentMeans.bic)}</dd>
<dt>${html(t('invoice.reference'))}</dt><dd>${html(invoice.paymentReference ?? invoice.number ?? '')}</dd>
</dl>
${qr}
</div>`;
}

/** The QR code as one SVG path (a rectangle per run of dark modules), quiet zone included. */
function qrSvg(matrix: QrMatrix, label: string): string {
  const side = matrix.size + 2 * QUIET_ZONE_MODULES;
  const q = QUIET_ZONE_MODULES;
  const runs = darkRuns(matrix).map(({ row, column, length }) => `M${column + q} ${row + q}h${length}v1h-${length}z`);
  return `<svg role="img" aria-label="${escapeHtml(label)}" viewBox="0 0 ${side} ${side}" shape-rendering="crispEdges" xmlns="http://www.w3.org/2000/svg"><rect width="${side}" height="${side}" fill="#fff"/><path fill="#000" d="${runs.join('')}"/></svg>`;
}
