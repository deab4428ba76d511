/**
 * Credit notes in the customer's language (issue 20 on issue 16's credit note PDF), as the
 * customer reads them: pdftotext of the PDF. Snapshot-free: each language's title, labels, the
 * invoice it corrects with the locale's date, the locale-formatted total, and how it is settled.
 * The credit note email likewise: its subject and sentences in each language, with the locale's
 * date and amounts. And no EPC QR code on a credit note, in any language: there is nothing to pay.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { renderCreditNotePdf } from '#adapters/pdf/credit-note-pdf.ts';
import { renderInvoicePdf } from '#adapters/pdf/invoice-pdf.ts';
import { assembleCreditNote } from '#domain/credit-notes/assemble.ts';
import { creditNoteEmail } from '#domain/credit-notes/email-content.ts';
import { escapeHtml } from '#domain/language/email-words.ts';
import type { CreditNote } from '#domain/credit-notes/types.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import { anInvoice, GERMAN_VAT, globexBuyer } from '#test-support/invoice-factory.ts';
import { ensurePoppler, pdfToText } from '#test-support/poppler.ts';
import { scanQrCode } from '#test-support/qr-scan.ts';

const CREATED = new Date('2026-12-10T09:00:00Z');

/** pdftotext breaks long text where the PDF wraps it; compare with single spaces (Intl's no-break spaces included). */
function oneLine(text: string): string {
  return text.replace(/[\s\u00a0\u202f]+/g, ' ');
}

/** Japanese wraps between any two characters, and pdftotext puts a space there: compare without spaces. */
function comparable(language: string): (text: string) => string {
  return language === 'ja' ? (text) => text.replace(/[\s\u00a0\u202f]+/g, '') : oneLine;
}

/** One seat (€ 49.00 net, 19 % VAT: € 58.31) credited on an invoice issued 1 December 2026 with money still due, refunded. */
function creditNoteOf(invoice: Invoice): CreditNote {
  const draft = assembleCreditNote({
    invoice,
    creditNotes: [],
    request: { reason: 'Two seats were never used', settlement: 'refund', credit: [{ line: 1, quantity: '1' }] },
    issueDate: '2026-12-10',
  });
  return { ...draft, number: 'ACME-CN-2026-000001' };
}

const EXPECTED = {
  en: {
    labels: [
      'Credit note number ACME-CN-2026-000001',
      'Invoice date 1 December 2026',
      'BILL TO',
      'Settlement Deducted from the amount due',
      'Page 1 of 1',
    ],
    corrects: 'Corrects invoice ACME-2026-000042 of 1 December 2026.',
    total: 'Total credited (EUR) € 58.31',
    settlement: '€ 58.31 reduces what is due on invoice ACME-2026-000042. Nothing is to be paid.',
    email: {
      subject: 'Credit note ACME-CN-2026-000001 for invoice ACME-2026-000042 from Acme Cloud GmbH',
      text: [
        'Please find attached credit note ACME-CN-2026-000001, which corrects invoice ACME-2026-000042 of 2026-12-01.',
        'Credited: 58.31 EUR. Reason: Two seats were never used',
        '58.31 EUR reduces what is due on invoice ACME-2026-000042.',
      ],
    },
  },
  de: {
    labels: [
      'Rechnungskorrektur',
      'Korrekturnummer ACME-CN-2026-000001',
      'Rechnungsdatum 1. Dezember 2026',
      'Ausgleich Vom offenen Betrag abgezogen',
    ],
    corrects: 'Korrigiert die Rechnung ACME-2026-000042 vom 1. Dezember 2026.',
    total: 'Gutschrift gesamt (EUR) 58,31 €',
    settlement: '58,31 € mindern den offenen Betrag der Rechnung ACME-2026-000042. Es ist nichts zu zahlen.',
    email: {
      subject: 'Rechnungskorrektur ACME-CN-2026-000001 zur Rechnung ACME-2026-000042 von Acme Cloud GmbH',
      text: [
        'anbei erhalten Sie die Rechnungskorrektur ACME-CN-2026-000001, die die Rechnung ACME-2026-000042 vom 1. Dezember 2026 korrigiert.',
        'Gutgeschrieben: 58,31 €. Grund: Two seats were never used',
        '58,31 € mindern den offenen Betrag der Rechnung ACME-2026-000042.',
      ],
    },
  },
  fr: {
    labels: ['Avoir', "Numéro d'avoir ACME-CN-2026-000001", 'Date de la facture 1 décembre 2026', 'Règlement Déduit du montant dû'],
    corrects: 'Rectifie la facture ACME-2026-000042 du 1 décembre 2026.',
    total: 'Total crédité (EUR) 58,31 €',
    settlement: "58,31 € viennent en déduction du montant dû sur la facture ACME-2026-000042. Aucun paiement n'est à effectuer.",
    email: {
      subject: 'Avoir ACME-CN-2026-000001 sur la facture ACME-2026-000042 de Acme Cloud GmbH',
      text: [
        'Veuillez trouver ci-joint l’avoir ACME-CN-2026-000001, qui rectifie la facture ACME-2026-000042 du 1 décembre 2026.',
        'Montant crédité : 58,31 €. Motif : Two seats were never used',
        '58,31 € viennent en déduction du montant dû sur la facture ACME-2026-000042.',
      ],
    },
  },
  es: {
    labels: ['Factura rectificativa', 'Número de rectificativa ACME-CN-2026-000001', 'Fecha de la factura 1 de diciembre de 2026'],
    corrects: 'Rectifica la factura ACME-2026-000042 del 1 de diciembre de 2026.',
    total: 'Total abonado (EUR) 58,31 €',
    settlement: '58,31 € se descuentan del importe pendiente de la factura ACME-2026-000042. No hay nada que pagar.',
    email: {
      subject: 'Factura rectificativa ACME-CN-2026-000001 de la factura ACME-2026-000042 de Acme Cloud GmbH',
      text: [
        'Adjuntamos la factura rectificativa ACME-CN-2026-000001, que rectifica la factura ACME-2026-000042 del 1 de diciembre de 2026.',
        'Importe abonado: 58,31 €. Motivo: Two seats were never used',
        '58,31 € se descuentan del importe pendiente de la factura ACME-2026-000042.',
      ],
    },
  },
  ja: {
    labels: ['クレジットノート番号 ACME-CN-2026-000001', '請求書発行日 2026年12月1日', '精算 請求残高から差し引き', '1 / 1 ページ'],
    corrects: '2026年12月1日付け請求書 ACME-2026-000042 の訂正。',
    total: 'クレジット合計（EUR） €58.31',
    settlement: '€58.31 を請求書 ACME-2026-000042 の未払額から差し引きます。お支払いいただく金額はありません。',
    email: {
      subject: 'Acme Cloud GmbHより請求書 ACME-2026-000042 のクレジットノート ACME-CN-2026-000001 のお知らせ',
      text: [
        '2026年12月1日付け請求書 ACME-2026-000042 を訂正するクレジットノート ACME-CN-2026-000001 を添付いたします。',
        'クレジット額：€58.31。理由：Two seats were never used',
        '€58.31 を請求書 ACME-2026-000042 の未払額から差し引きます。',
      ],
    },
  },
} as const;

beforeAll(() => ensurePoppler(), 300_000);

describe.each(Object.entries(EXPECTED))('a credit note in %s', (language, expected) => {
  const invoice = anInvoice({ tax: GERMAN_VAT, legends: [], language });
  const creditNote = creditNoteOf(invoice);

  it('PDF: title and labels from the catalogue, the corrected invoice and its date, the total and the settlement as the locale writes them', async () => {
    // Act
    const normal = comparable(language);
    const text = normal(pdfToText(await renderCreditNotePdf(creditNote, invoice, { creationDate: CREATED })));

    // Assess
    for (const label of expected.labels) expect(text).toContain(normal(label));
    expect(text).toContain(normal(expected.corrects));
    expect(text).toContain(normal(expected.total));
    expect(text).toContain(normal(expected.settlement));
    if (language !== 'en') expect(text).not.toMatch(/Credit note|Settlement|Total credited/);
  });

  it('email: subject and text in the language, the date and amounts as the locale writes them (English keeps its house style)', () => {
    // Act
    const email = creditNoteEmail(creditNote, 'invoice', invoice.language);

    // Assess
    expect(email.subject).toBe(expected.email.subject);
    for (const line of expected.email.text) expect(oneLine(email.text)).toContain(oneLine(line));
    for (const line of expected.email.text) expect(oneLine(email.html)).toContain(oneLine(escapeHtml(line)));
    expect(email.attachmentName).toBe('ACME-CN-2026-000001.pdf');
    if (language !== 'en') expect(email.text).not.toMatch(/Credit note|Credited|Reason|Dear/);
  });

  it('carries no EPC QR code, though the invoice it corrects does', async () => {
    expect(scanQrCode(await renderInvoicePdf(invoice, { creationDate: CREATED }))).not.toBeNull();
    expect(scanQrCode(await renderCreditNotePdf(creditNote, invoice, { creationDate: CREATED }))).toBeNull();
  });
});

describe('a credit note to a Japanese customer', () => {
  it('extracts the customer’s name and address in Japanese', async () => {
    const invoice = anInvoice({
      language: 'ja',
      buyer: {
        ...globexBuyer,
        name: '株式会社さくらクラウド',
        address: { line1: '西新宿2-8-1', city: '新宿区', postalCode: '163-8001', region: '東京都', country: 'JP' },
        vatId: null,
      },
    });
    const text = oneLine(pdfToText(await renderCreditNotePdf(creditNoteOf(invoice), invoice, { creationDate: CREATED })));
    expect(text).toContain('ご請求先 株式会社さくらクラウド 西新宿2-8-1 163-8001 新宿区 東京都 日本');
  });
});
