/**
 * Invoices in the customer's language (issue 20), as the customer reads them: pdftotext of the
 * PDF, and the invoice and reminder emails. Snapshot-free: each checks the translated labels, the
 * locale-formatted total and due date, and the legend with the Directive's reference.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { renderInvoicePdf } from '#adapters/pdf/invoice-pdf.ts';
import { invoiceEmail } from '#domain/invoice/email-content.ts';
import { reminderEmail } from '#domain/dunning/reminder-email.ts';
import { anInvoice, globexBuyer } from '#test-support/invoice-factory.ts';
import { ensurePoppler, pdfFonts, pdfToText } from '#test-support/poppler.ts';
import { OUTSIDE_SCOPE_LEGEND } from '#domain/tax/tax-treatment.ts';

const CREATED = new Date('2026-12-01T02:00:00Z');

/** pdftotext breaks long text where the PDF wraps it; compare with single spaces (Intl's no-break spaces included). */
function oneLine(text: string): string {
  return text.replace(/[\s\u00a0\u202f]+/g, ' ');
}

/** What each language must show: labels from its catalogue, and values as its locale writes them (total 384.74 EUR, due 2026-12-31). */
const EXPECTED = {
  de: {
    labels: ['Rechnung', 'Rechnungsnummer ACME-2026-000042', 'Leistungszeitraum 1.–30. November 2026', 'Kontoinhaber Acme Cloud GmbH'],
    total: 'Gesamt (EUR) 384,74 €',
    dueDate: 'Fällig am 31. Dezember 2026',
    legend: 'Steuerschuldnerschaft des Leistungsempfängers (Art. 196 Richtlinie 2006/112/EG)',
    country: 'Frankreich',
    subject: 'Rechnung ACME-2026-000042 von Acme Cloud GmbH',
    emailDue: 'Zu zahlen: 384,74 €, fällig bis 31. Dezember 2026.',
    reminder: 'Zahlungserinnerung: Rechnung ACME-2026-000042 von Acme Cloud GmbH ist seit 3 Tagen überfällig',
  },
  fr: {
    labels: ['Facture', 'Numéro de facture ACME-2026-000042', 'Période de prestation 1–30 novembre 2026', 'Net à payer 384,74 €'],
    total: 'Total TTC (EUR) 384,74 €',
    dueDate: "Date d'échéance 31 décembre 2026",
    legend: 'Autoliquidation (article 196 de la directive 2006/112/CE)',
    country: 'France',
    subject: 'Facture ACME-2026-000042 de Acme Cloud GmbH',
    emailDue: 'Net à payer : 384,74 €, à régler avant le 31 décembre 2026.',
    reminder: 'Relance : la facture ACME-2026-000042 de Acme Cloud GmbH est en retard de 3 jours',
  },
  es: {
    labels: ['Factura', 'Número de factura ACME-2026-000042', 'Periodo de prestación 1–30 de noviembre de 2026', 'Titular de la cuenta'],
    total: 'Total (EUR) 384,74 €',
    dueDate: 'Fecha de vencimiento 31 de diciembre de 2026',
    legend: 'Inversión del sujeto pasivo (art. 196 de la Directiva 2006/112/CE)',
    country: 'Francia',
    subject: 'Factura ACME-2026-000042 de Acme Cloud GmbH',
    emailDue: 'Importe pendiente: 384,74 €, con vencimiento el 31 de diciembre de 2026.',
    reminder: 'Recordatorio: la factura ACME-2026-000042 de Acme Cloud GmbH lleva 3 días de retraso',
  },
} as const;

beforeAll(() => ensurePoppler(), 300_000);

describe.each(Object.entries(EXPECTED))('an invoice in %s', (language, expected) => {
  const invoice = anInvoice({ language });

  it('PDF: translated labels, the locale-formatted total and due date, the reverse-charge legend with its Directive reference', async () => {
    // Act
    const text = oneLine(pdfToText(await renderInvoicePdf(invoice, { creationDate: CREATED })));

    // Assess
    for (const label of expected.labels) expect(text).toContain(label);
    expect(text).toContain(expected.total);
    expect(text).toContain(expected.dueDate);
    expect(text).toContain(expected.legend);
    expect(text).toContain(expected.country);
    expect(text).not.toContain('Amount due');
  });

  it('emails: subject, text and HTML in the language, the amount and due date as the locale writes them', () => {
    // Act
    const email = invoiceEmail(invoice, 'invoice');
    const reminder = reminderEmail(invoice, 3);

    // Assess
    expect(email.subject).toBe(expected.subject);
    expect(oneLine(email.text)).toContain(expected.emailDue);
    expect(email.html).not.toMatch(/Amount due|Dear|Kind regards/);
    expect(email.attachmentName).toBe('ACME-2026-000042.pdf');
    expect(reminder.subject).toBe(expected.reminder);
  });
});

describe('an invoice in English', () => {
  it('keeps its house style: "€ 384.74", "31 December 2026", the English legend', async () => {
    const text = oneLine(pdfToText(await renderInvoicePdf(anInvoice({ language: 'en-GB' }), { creationDate: CREATED })));
    expect(text).toContain('Total (EUR) € 384.74');
    expect(text).toContain('Due date 31 December 2026');
    expect(text).toContain('Reverse charge - VAT to be accounted for by the recipient (Art. 196 Directive 2006/112/EC)');
  });

  it('escapes the customer’s name in the HTML email in every language', () => {
    const invoice = anInvoice({ language: 'fr', buyer: { ...anInvoice().buyer, name: 'Dupont & <Fils>' } });
    expect(invoiceEmail(invoice, 'invoice').html).toContain('Bonjour Dupont &amp; &lt;Fils&gt;,');
  });
});

describe('an invoice in Japanese, to a customer with a Japanese name and address', () => {
  const invoice = anInvoice({
    language: 'ja',
    currency: 'JPY',
    tax: { rate: '0', category: 'O', legend: OUTSIDE_SCOPE_LEGEND },
    legends: [OUTSIDE_SCOPE_LEGEND],
    buyer: {
      ...globexBuyer,
      id: 'cus_sakura',
      name: '株式会社さくらクラウド',
      address: { line1: '西新宿2-8-1', city: '新宿区', postalCode: '163-8001', region: '東京都', country: 'JP' },
      vatId: null,
    },
  });

  it('extracts the name, the address, the labels, the yen total and the due date in Japanese', async () => {
    // Act
    const pdf = await renderInvoicePdf(invoice, { creationDate: CREATED });

    // Assess
    const text = oneLine(pdfToText(pdf));
    expect(text).toContain('ご請求先 株式会社さくらクラウド 西新宿2-8-1 163-8001 新宿区 東京都 日本');
    expect(text).toContain('請求書番号 ACME-2026-000042');
    expect(text).toContain(`合計（JPY） ￥${invoice.total.toLocaleString('en')}`);
    expect(text).toContain('お支払期限 2026年12月31日');
    expect(text).toContain('EU付加価値税の対象外');
    expect(pdfFonts(pdf).map((font) => font.name.replace(/^[A-Z]{6}\+/, ''))).toContain('IPAexGothic');
  });

  it('embeds the CJK font only in documents that need it', async () => {
    const pdf = await renderInvoicePdf(anInvoice({ language: 'de' }), { creationDate: CREATED });
    expect(pdfFonts(pdf).map((font) => font.name.replace(/^[A-Z]{6}\+/, ''))).toEqual(['DejaVuSans-Bold', 'DejaVuSans']);
  });
});
