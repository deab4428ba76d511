/**
 * Credit note assembly (shared/domain/credit-notes): what a credit note takes back, the VAT it
 * carries, and each refusal with the message a user acts on.
 */
import { describe, expect, it } from 'vitest';
import { assembleCreditNote, type CreditNoteInput } from '#domain/credit-notes/assemble.ts';
import {
  CreditExceedsInvoiceError,
  CreditExceedsLineError,
  CreditRequestError,
  InvoiceNotCreditableError,
  NothingLeftToCreditError,
} from '#domain/errors.ts';
import { creditNoteSequence, formatCreditNoteNumber, parseCreditNoteNumber } from '#domain/credit-notes/numbering.ts';
import { creditableRemainder } from '#domain/credit-notes/remaining.ts';
import type { CreditNoteDraft, CreditRequest } from '#domain/credit-notes/types.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import { aDraftInvoice, anInvoice, anInvoiceLine, GERMAN_VAT } from '#test-support/invoice-factory.ts';

const ISSUE_DATE = '2026-12-10';

function germanInvoice(overrides: Partial<Invoice> = {}): Invoice {
  return anInvoice({ tax: GERMAN_VAT, legends: [], ...overrides });
}

function credit(
  invoice: Invoice,
  credit: CreditRequest['credit'],
  creditNotes: readonly CreditNoteDraft[] = [],
  overrides: Partial<CreditNoteInput> = {},
): CreditNoteDraft {
  return assembleCreditNote({
    invoice,
    creditNotes,
    request: { reason: 'Service outage on 12 November', settlement: 'balance', credit },
    issueDate: ISSUE_DATE,
    ...overrides,
  });
}

/** An invoice of one line: 100.00 EUR net at 19 % -> 19.00 VAT; its cents make rounding visible when split. */
function oneLineInvoice(quantity: string, unitPrice: string): Invoice {
  return germanInvoice({ lines: [anInvoiceLine({ description: 'seats', meter: 'seats', quantity, unitPrice })] });
}

describe('credit note assembly', () => {
  it('credits a whole invoice: its lines, net, VAT per rate and total exactly, with the invoice reference and parties', () => {
    const invoice = germanInvoice();
    const note = credit(invoice, 'all');
    expect(note.lines).toHaveLength(invoice.lines.length);
    expect(note.lines.map((line) => [line.invoiceLine, line.quantity, line.netAmount])).toEqual(
      invoice.lines.map((line, index) => [index + 1, line.quantity, line.netAmount]),
    );
    expect(note.taxSubtotals).toEqual(invoice.taxSubtotals);
    expect([note.netTotal, note.taxTotal, note.total]).toEqual([invoice.netTotal, invoice.taxTotal, invoice.total]);
    expect(note).toMatchObject({
      invoiceNumber: 'ACME-2026-000042',
      invoiceIssueDate: '2026-12-01',
      customerId: 'cus_42',
      issueDate: ISSUE_DATE,
      reason: 'Service outage on 12 November',
      settlement: 'balance',
      currency: 'EUR',
      seller: invoice.seller,
      buyer: invoice.buyer,
      tax: GERMAN_VAT,
      // Unpaid: the whole credit reduces what is due.
      appliedToInvoice: invoice.total,
    });
  });

  it('credits part of a line by quantity as its share of the line net, and the rest of it exactly', () => {
    const invoice = germanInvoice();
    // Line 6: seats (peak), 12 x 10.00 = 120.00.
    const first = credit(invoice, [{ line: 6, quantity: '5' }]);
    expect(first.lines).toEqual([
      expect.objectContaining({
        invoiceLine: 6,
        description: 'seats (peak)',
        quantity: '5',
        unitPrice: '10.00',
        netAmount: 5000,
        creditedQuantity: '5',
      }),
    ]);
    expect(first.taxSubtotals).toEqual([{ rate: '19', category: 'S', taxableAmount: 5000, taxAmount: 950 }]);
    expect(first.total).toBe(5950);
    const rest = credit(invoice, [{ line: 6, quantity: '7' }], [first]);
    expect(rest.lines[0]!.netAmount).toBe(7000);
    expect(creditableRemainder(invoice, [first, rest]).lines[5]).toEqual({ line: 6, quantity: '0', netAmount: 0 });
  });

  it('credits an amount of a line as a price reduction: quantity 1 shown, none of the line quantity taken back', () => {
    const note = credit(germanInvoice(), [{ line: 1, amount: '9.99' }]);
    expect(note.lines).toEqual([
      expect.objectContaining({ invoiceLine: 1, quantity: '1', unitPrice: '9.99', netAmount: 999, creditedQuantity: '0' }),
    ]);
  });

  it('takes several lines in one note and credits what is left with --all after partial credits, to the cent', () => {
    const invoice = germanInvoice();
    const first = credit(invoice, [
      { line: 3, quantity: '33333.3' },
      { line: 5, amount: '0.01' },
    ]);
    const second = credit(invoice, [{ line: 1, amount: '12.34' }], [first]);
    const last = credit(invoice, 'all', [first, second]);
    const notes = [first, second, last];
    expect(notes.reduce((total, note) => total + note.netTotal, 0)).toBe(invoice.netTotal);
    expect(notes.reduce((total, note) => total + note.taxTotal, 0)).toBe(invoice.taxTotal);
    expect(notes.reduce((total, note) => total + note.total, 0)).toBe(invoice.total);
    expect(creditableRemainder(invoice, notes)).toMatchObject({ netAmount: 0, total: 0 });
  });

  it('rounds VAT once on the cumulative credit, so the last note takes the VAT that is left, not a cent more', () => {
    // 1.00 EUR at 19 % = 0.19 VAT; half of it is 0.095 VAT, which rounds up to 0.10.
    const invoice = oneLineInvoice('2', '0.50');
    expect(invoice.taxTotal).toBe(19);
    const first = credit(invoice, [{ line: 1, quantity: '1' }]);
    const second = credit(invoice, [{ line: 1, quantity: '1' }], [first]);
    expect([first.netTotal, first.taxTotal]).toEqual([50, 10]);
    expect([second.netTotal, second.taxTotal]).toEqual([50, 9]);
  });

  it('never credits more VAT than the invoice over many small credits that each round up', () => {
    // 1.50 EUR at 19 %: 28.5 -> 29 cents VAT; credits of one unit at 0.015 are 1.5 -> 2 cents net each.
    const invoice = oneLineInvoice('100', '0.015');
    const notes: CreditNoteDraft[] = [];
    while (creditableRemainder(invoice, notes).netAmount > 0) notes.push(credit(invoice, [{ line: 1, quantity: '1' }], notes));
    expect(notes).toHaveLength(100);
    expect(notes[0]!.netTotal).toBe(2);
    expect(notes.reduce((total, note) => total + note.netTotal, 0)).toBe(150);
    expect(notes.reduce((total, note) => total + note.taxTotal, 0)).toBe(invoice.taxTotal);
    expect(notes.every((note) => note.taxTotal >= 0 && note.netTotal >= 0)).toBe(true);
  });

  it('applies to the invoice only what is due: the rest of a credit on a paid invoice goes to its settlement', () => {
    const invoice = oneLineInvoice('1', '100.00');
    const paid = {
      ...invoice,
      payments: [
        {
          kind: 'payment_succeeded' as const,
          eventId: 'evt_1',
          paymentId: 'pi_1',
          occurredAt: '2026-12-05T10:00:00Z',
          currency: 'EUR',
          amount: 9000,
          invoiceNumber: invoice.number,
        },
      ],
    };
    const note = credit(paid, [{ line: 1, amount: '20.00' }]);
    // Due 119.00 - 90.00 = 29.00; the credit is 23.80, all of it applied.
    expect(note.appliedToInvoice).toBe(2380);
    const second = credit(paid, [{ line: 1, amount: '20.00' }], [note]);
    // Due 29.00 - 23.80 = 5.20 of the second 23.80.
    expect(second.appliedToInvoice).toBe(520);
  });
});

describe('credit notes across the calendar', () => {
  it('credits a December invoice in the new year, numbered in the year it is issued', () => {
    const december = germanInvoice({ billingPeriod: '2026-12', issueDate: '2027-01-01', dueDate: '2027-01-31' });
    const note = credit(december, 'all', [], { issueDate: '2027-01-15' });
    expect(note).toMatchObject({ invoiceIssueDate: '2027-01-01', issueDate: '2027-01-15' });
    expect(formatCreditNoteNumber(creditNoteSequence('ACME', note.issueDate), 1)).toBe('ACME-CN-2027-000001');
  });

  it('credits amounts in a currency without minor units and refuses cents in it', () => {
    const yen = germanInvoice({
      currency: 'JPY',
      lines: [anInvoiceLine({ description: 'seats', quantity: '3', unitPrice: '1500' }, 'JPY')],
    });
    expect(credit(yen, [{ line: 1, amount: '999' }]).lines[0]!.netAmount).toBe(999);
    expect(() => credit(yen, [{ line: 1, amount: '999.5' }])).toThrow(
      'Amount "999.5" for line 1 has more decimals than JPY has (0): give it in JPY, e.g. 1000',
    );
  });
});

describe('credit note refusals', () => {
  const invoice = germanInvoice();

  it('refuses a draft and a void invoice', () => {
    expect(() => credit(aDraftInvoice(), 'all')).toThrow(
      new InvoiceNotCreditableError('The draft invoice of cus_42 for 2026-11 cannot be credited: only a finalized invoice can'),
    );
    expect(() => credit(germanInvoice({ status: 'void' }), 'all')).toThrow(
      new InvoiceNotCreditableError('The void invoice ACME-2026-000042 cannot be credited: only a finalized invoice can'),
    );
  });

  it('refuses a blank reason and an issue date before the invoice', () => {
    expect(() =>
      assembleCreditNote({
        invoice,
        creditNotes: [],
        request: { reason: '  ', settlement: 'refund', credit: 'all' },
        issueDate: ISSUE_DATE,
      }),
    ).toThrow('A credit note needs a reason: say why invoice ACME-2026-000042 is credited (--reason TEXT)');
    expect(() => credit(invoice, 'all', [], { issueDate: '2026-11-30' })).toThrow(
      'Credit note issue date "2026-11-30" must be a date (YYYY-MM-DD) on or after invoice ACME-2026-000042\'s issue date 2026-12-01',
    );
  });

  it('refuses an unknown line, a line named twice and no line at all', () => {
    expect(() => credit(invoice, [{ line: 9, quantity: '1' }])).toThrow('Invoice ACME-2026-000042 has lines 1 to 8; there is no line 9');
    expect(() => credit(invoice, [{ line: 0, quantity: '1' }])).toThrow('there is no line 0');
    expect(() =>
      credit(invoice, [
        { line: 6, quantity: '1' },
        { line: 6, amount: '1.00' },
      ]),
    ).toThrow('Line 6 is named twice: credit each line once per credit note (add the quantities or amounts up)');
    expect(() => credit(invoice, [])).toThrow(CreditRequestError);
  });

  it('refuses a quantity or an amount that is not a positive number, and more decimals than the currency has', () => {
    expect(() => credit(invoice, [{ line: 6, quantity: 'five' }])).toThrow(
      'Quantity "five" for line 6 is not a number: give a decimal such as 12.5',
    );
    expect(() => credit(invoice, [{ line: 6, quantity: '-1' }])).toThrow(
      'Quantity "-1" for line 6 must be a number greater than 0, such as 12.5',
    );
    expect(() => credit(invoice, [{ line: 6, quantity: '0' }])).toThrow('must be a number greater than 0');
    expect(() => credit(invoice, [{ line: 6, amount: '1.005' }])).toThrow(
      'Amount "1.005" for line 6 has more decimals than EUR has (2): give it in EUR, e.g. 1.01',
    );
  });

  it('refuses more than is left of a line, naming what is left', () => {
    const first = credit(invoice, [{ line: 6, quantity: '10' }]);
    const byQuantity = () => credit(invoice, [{ line: 6, quantity: '3' }], [first]);
    expect(byQuantity).toThrow(CreditExceedsLineError);
    expect(byQuantity).toThrow(
      'Line 6 of invoice ACME-2026-000042 has 2 left to credit, worth 20.00 EUR net; quantity 3 is more: credit at most what is left',
    );
    expect(() => credit(invoice, [{ line: 6, amount: '20.01' }], [first])).toThrow(
      'Line 6 of invoice ACME-2026-000042 has 2 left to credit, worth 20.00 EUR net; 20.01 EUR is more: credit at most what is left',
    );
  });

  it('refuses a quantity worth less than half a cent', () => {
    // Line 3: 90,000 x 0.001 = 90.00; 0.001 of it is 0.1 cent.
    expect(() => credit(invoice, [{ line: 3, quantity: '0.001' }])).toThrow(
      'Quantity 0.001 of line 3 is worth less than half a minor unit of EUR: credit a larger quantity',
    );
  });

  it('refuses line credits that together exceed the invoice when a line gave money back', () => {
    const withGiveBack = germanInvoice({
      lines: [
        anInvoiceLine({ description: 'seats', quantity: '10', unitPrice: '10.00' }),
        anInvoiceLine({
          kind: 'minimum_commitment',
          description: 'Minimum commitment top-up already billed',
          meter: null,
          quantity: '-1',
          unitPrice: '30.00',
          netAmount: -3000,
        }),
      ],
    });
    expect(withGiveBack.netTotal).toBe(7000);
    const tooMuch = () => credit(withGiveBack, [{ line: 1, quantity: '8' }]);
    expect(tooMuch).toThrow(CreditExceedsInvoiceError);
    expect(tooMuch).toThrow(
      'Invoice ACME-2026-000042 has 70.00 EUR net (83.30 EUR with VAT) left to credit, but this credit note asks for 80.00 EUR net: credit at most 70.00 EUR net',
    );
    expect(() => credit(withGiveBack, [{ line: 2, amount: '1.00' }])).toThrow(
      'Line 2 of invoice ACME-2026-000042 charges nothing (-30.00 EUR), so it cannot be credited on its own; credit the invoice with --all',
    );
    const all = credit(withGiveBack, 'all');
    expect([all.netTotal, all.taxTotal, all.total]).toEqual([withGiveBack.netTotal, withGiveBack.taxTotal, withGiveBack.total]);
  });

  it('refuses anything once the invoice is credited in full', () => {
    const all = credit(invoice, 'all');
    expect(() => credit(invoice, 'all', [all])).toThrow(new NothingLeftToCreditError('ACME-2026-000042'));
    expect(() => credit(invoice, [{ line: 1, amount: '1.00' }], [all])).toThrow(
      'Invoice ACME-2026-000042 is credited in full already: there is nothing left to credit',
    );
  });
});

describe('credit note numbers', () => {
  it('are {invoicePrefix}-CN-{YYYY}-{NNNNNN} in a sequence of their own per prefix and issue year', () => {
    const sequence = creditNoteSequence('ACME', '2027-01-04');
    expect(sequence).toEqual({ series: 'ACME-CN', year: 2027 });
    expect(formatCreditNoteNumber(sequence, 1)).toBe('ACME-CN-2027-000001');
    expect(formatCreditNoteNumber(sequence, 1234567)).toBe('ACME-CN-2027-1234567');
    expect(parseCreditNoteNumber('ACME-CN-2027-000042')).toEqual({ invoicePrefix: 'ACME', year: 2027, sequence: 42 });
    expect(parseCreditNoteNumber('ACME-2027-000042')).toBeUndefined();
  });

  it('refuses a sequence number below 1, a bad prefix and a bad date', () => {
    expect(() => formatCreditNoteNumber({ series: 'ACME-CN', year: 2026 }, 0)).toThrow(
      'credit note sequence must be a positive whole number, got 0',
    );
    expect(() => creditNoteSequence('acme-x', '2026-12-10')).toThrow(
      'invoice prefix must be 1 to 10 capital letters or digits, got "acme-x"',
    );
    expect(() => creditNoteSequence('ACME', '10.12.2026')).toThrow('credit note issue date "10.12.2026" is not a date: use YYYY-MM-DD');
  });
});
