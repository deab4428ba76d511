import { describe, expect, it } from 'vitest';
import {
  DEFAULT_REMINDER_DAYS,
  daysOverdue,
  isChased,
  isOverdue,
  reminderDaysOf,
  reminderDue,
  utcDatePlusDays,
  withClaim,
} from '#domain/dunning/reminder-policy.ts';
import type { Reminder } from '#domain/invoice/invoice.ts';
import type { PaymentEvent } from '#domain/payments/payment-event.ts';
import { anInvoice } from '#test-support/invoice-factory.ts';

const DEFAULT_DAYS = [3, 10, 20];
const CLAIM_TIMEOUT_MS = 15 * 60_000;
/** anInvoice() is due on 2026-12-31: `overdueBy(n)` is an instant n days later, mid-morning UTC. */
const overdueBy = (days: number) => Date.parse('2026-12-31T09:30:00Z') + days * 86_400_000;

const sent = (stage: number): Reminder => ({ stage, status: 'sent', at: '2027-01-03T06:00:00.000Z', messageId: `msg-${stage}` });
const skipped = (stage: number): Reminder => ({ stage, status: 'skipped', at: '2027-01-03T06:00:00.000Z', messageId: null });
const claim = (stage: number, at: number): Reminder => ({ stage, status: 'sending', at: new Date(at).toISOString(), messageId: null });

describe('daysOverdue', () => {
  it('counts the due date itself as day 0, whatever the time of day', () => {
    // Prepare / Act / Assess
    expect(daysOverdue('2026-12-31', Date.parse('2026-12-31T00:00:00.000Z'))).toBe(0);
    expect(daysOverdue('2026-12-31', Date.parse('2026-12-31T23:59:59.999Z'))).toBe(0);
  });

  it('counts whole UTC days from the next midnight on, across a year end', () => {
    // Prepare / Act / Assess
    expect(daysOverdue('2026-12-31', Date.parse('2027-01-01T00:00:00.000Z'))).toBe(1);
    expect(daysOverdue('2026-12-31', Date.parse('2027-01-03T23:59:59.999Z'))).toBe(3);
    expect(daysOverdue('2026-12-31', Date.parse('2027-01-20T00:00:00.000Z'))).toBe(20);
  });

  it('is negative before the due date', () => {
    // Prepare / Act / Assess
    expect(daysOverdue('2026-12-31', Date.parse('2026-12-30T23:59:59.999Z'))).toBe(-1);
    expect(daysOverdue('2026-12-31', Date.parse('2026-12-01T02:00:00.000Z'))).toBe(-30);
  });

  it('counts across month ends of 28, 29, 30 and 31 days', () => {
    // Prepare / Act / Assess
    expect(daysOverdue('2027-01-31', Date.parse('2027-02-03T08:00:00Z'))).toBe(3);
    expect(daysOverdue('2027-02-28', Date.parse('2027-03-03T08:00:00Z'))).toBe(3);
    expect(daysOverdue('2028-02-28', Date.parse('2028-03-02T08:00:00Z'))).toBe(3); // 2028-02-29 exists
    expect(daysOverdue('2027-04-30', Date.parse('2027-05-10T08:00:00Z'))).toBe(10);
  });

  it('refuses a due date that is not YYYY-MM-DD', () => {
    // Prepare / Act / Assess
    expect(() => daysOverdue('31.12.2026', 0)).toThrow(RangeError);
    expect(() => daysOverdue('2026-12-31T00:00:00Z', 0)).toThrow(RangeError);
  });
});

describe('utcDatePlusDays', () => {
  it('moves by calendar days from the UTC day an instant falls on', () => {
    // Prepare / Act / Assess
    expect(utcDatePlusDays(Date.parse('2027-01-03T23:59:59.999Z'), -2)).toBe('2027-01-01');
    expect(utcDatePlusDays(Date.parse('2027-03-01T00:00:00.000Z'), -1)).toBe('2027-02-28');
    expect(utcDatePlusDays(Date.parse('2028-03-01T00:00:00.000Z'), -1)).toBe('2028-02-29');
  });
});

describe('isOverdue', () => {
  it('is true from the day after the due date while money is due', () => {
    // Prepare
    const invoice = anInvoice();

    // Act / Assess
    expect(isOverdue(invoice, overdueBy(0))).toBe(false);
    expect(isOverdue(invoice, overdueBy(1))).toBe(true);
    expect(isOverdue({ ...invoice, paymentStatus: 'partially_paid', amountPaid: 100, amountDue: invoice.total - 100 }, overdueBy(1))).toBe(
      true,
    );
  });

  it('is false for paid, overpaid, draft and void invoices', () => {
    // Prepare
    const invoice = anInvoice();
    const paid = { ...invoice, paymentStatus: 'paid' as const, amountPaid: invoice.total, amountDue: 0 };

    // Act / Assess
    expect(isOverdue(paid, overdueBy(5))).toBe(false);
    expect(isOverdue({ ...paid, paymentStatus: 'overpaid' }, overdueBy(5))).toBe(false);
    expect(isOverdue({ ...invoice, status: 'void' }, overdueBy(5))).toBe(false);
    expect(isOverdue({ ...invoice, status: 'draft', dueDate: null }, overdueBy(5))).toBe(false);
  });
});

describe('isChased', () => {
  const invoice = anInvoice();
  const payment = { eventId: 'evt_1', paymentId: 'pi_1', occurredAt: '2027-01-02T10:00:00Z', currency: 'EUR' };

  it('chases a finalized invoice that is unpaid or partially paid', () => {
    // Prepare / Act / Assess
    expect(isChased(invoice)).toBe(true);
    expect(isChased({ ...invoice, paymentStatus: 'partially_paid', amountPaid: 100, amountDue: invoice.total - 100 })).toBe(true);
  });

  it('leaves paid, void and zero-due invoices alone', () => {
    // Prepare / Act / Assess
    expect(isChased({ ...invoice, paymentStatus: 'paid', amountPaid: invoice.total, amountDue: 0 })).toBe(false);
    expect(isChased({ ...invoice, status: 'void' })).toBe(false);
    expect(isChased({ ...invoice, amountDue: 0 })).toBe(false);
  });

  it('leaves refunded and disputed invoices to an operator, even a lost dispute that left money due', () => {
    // Prepare
    const disputeOpened: PaymentEvent = { ...payment, kind: 'dispute_opened', disputeId: 'dp_1', amount: invoice.total };
    const disputeLost: PaymentEvent = {
      ...payment,
      eventId: 'evt_2',
      kind: 'dispute_closed',
      disputeId: 'dp_1',
      amount: invoice.total,
      outcome: 'lost',
    };

    // Act / Assess
    expect(isChased({ ...invoice, paymentStatus: 'refunded', amountRefunded: invoice.total })).toBe(false);
    expect(isChased({ ...invoice, paymentStatus: 'partially_paid', amountPaid: 100, amountRefunded: 50 })).toBe(false);
    expect(isChased({ ...invoice, paymentStatus: 'disputed', payments: [disputeOpened] })).toBe(false);
    expect(isChased({ ...invoice, paymentStatus: 'unpaid', payments: [disputeOpened, disputeLost] })).toBe(false);
  });
});

describe('reminderDue', () => {
  it('is due at each stage reached, and not before the first one', () => {
    // Prepare
    const invoice = anInvoice();

    // Act / Assess
    expect(reminderDue(invoice, overdueBy(2), DEFAULT_DAYS, CLAIM_TIMEOUT_MS)).toBeUndefined();
    expect(reminderDue(invoice, overdueBy(3), DEFAULT_DAYS, CLAIM_TIMEOUT_MS)).toEqual({ stage: 3, daysOverdue: 3, skipped: [] });
    expect(reminderDue({ ...invoice, reminders: [sent(3)] }, overdueBy(9), DEFAULT_DAYS, CLAIM_TIMEOUT_MS)).toBeUndefined();
    expect(reminderDue({ ...invoice, reminders: [sent(3)] }, overdueBy(10), DEFAULT_DAYS, CLAIM_TIMEOUT_MS)).toEqual({
      stage: 10,
      daysOverdue: 10,
      skipped: [],
    });
    expect(reminderDue({ ...invoice, reminders: [sent(3), sent(10)] }, overdueBy(21), DEFAULT_DAYS, CLAIM_TIMEOUT_MS)).toEqual({
      stage: 20,
      daysOverdue: 21,
      skipped: [],
    });
  });

  it('is not due again once the last stage is sent or skipped', () => {
    // Prepare
    const invoice = anInvoice({ reminders: [sent(3), skipped(10), sent(20)] });

    // Act / Assess
    expect(reminderDue(invoice, overdueBy(45), DEFAULT_DAYS, CLAIM_TIMEOUT_MS)).toBeUndefined();
    expect(
      reminderDue({ ...invoice, reminders: [sent(3), sent(10), skipped(20)] }, overdueBy(45), DEFAULT_DAYS, CLAIM_TIMEOUT_MS),
    ).toBeUndefined();
  });

  it('gives an invoice first seen 25 days overdue one reminder, for day 20, skipping 3 and 10', () => {
    // Prepare
    const invoice = anInvoice();

    // Act
    const due = reminderDue(invoice, overdueBy(25), DEFAULT_DAYS, CLAIM_TIMEOUT_MS);

    // Assess
    expect(due).toEqual({ stage: 20, daysOverdue: 25, skipped: [3, 10] });
    expect(reminderDue({ ...invoice, reminders: [sent(3)] }, overdueBy(25), DEFAULT_DAYS, CLAIM_TIMEOUT_MS)?.skipped).toEqual([10]);
  });

  it('never goes back to an earlier stage once a later one exists, even when the days change', () => {
    // Prepare: day 10 was sent under the defaults; the catalog now says 5 and 15.
    const invoice = anInvoice({ reminders: [sent(3), sent(10)] });

    // Act / Assess
    expect(reminderDue(invoice, overdueBy(12), [5, 15], CLAIM_TIMEOUT_MS)).toBeUndefined();
    expect(reminderDue(invoice, overdueBy(15), [5, 15], CLAIM_TIMEOUT_MS)).toEqual({ stage: 15, daysOverdue: 15, skipped: [5] });
  });

  it('leaves an invoice alone while another run holds a live claim, and takes over a stale one', () => {
    // Prepare
    const now = overdueBy(3);
    const live = anInvoice({ reminders: [claim(3, now - CLAIM_TIMEOUT_MS + 1)] });
    const stale = anInvoice({ reminders: [claim(3, now - CLAIM_TIMEOUT_MS)] });
    const staleEarlier = anInvoice({ reminders: [claim(3, overdueBy(3))] });

    // Act / Assess
    expect(reminderDue(live, now, DEFAULT_DAYS, CLAIM_TIMEOUT_MS)).toBeUndefined();
    expect(reminderDue(stale, now, DEFAULT_DAYS, CLAIM_TIMEOUT_MS)).toEqual({ stage: 3, daysOverdue: 3, skipped: [] });
    // A claim for day 3 abandoned a week ago: day 10 goes out and day 3 is recorded as skipped.
    expect(reminderDue(staleEarlier, overdueBy(10), DEFAULT_DAYS, CLAIM_TIMEOUT_MS)).toEqual({ stage: 10, daysOverdue: 10, skipped: [3] });
  });

  it('judges claims by the clock, not by the day a hand-made run is for', () => {
    // Prepare: a run made today for a day long past finds a claim taken a minute ago.
    const now = overdueBy(40);
    const invoice = anInvoice({ reminders: [claim(3, now - 60_000)] });

    // Act / Assess
    expect(reminderDue(invoice, overdueBy(3), DEFAULT_DAYS, CLAIM_TIMEOUT_MS, now)).toBeUndefined();
    expect(reminderDue(invoice, overdueBy(3), DEFAULT_DAYS, CLAIM_TIMEOUT_MS, now + CLAIM_TIMEOUT_MS)).toEqual({
      stage: 3,
      daysOverdue: 3,
      skipped: [],
    });
  });

  it('is never due for an invoice dunning does not chase', () => {
    // Prepare
    const invoice = anInvoice();

    // Act / Assess
    expect(
      reminderDue(
        { ...invoice, paymentStatus: 'paid', amountPaid: invoice.total, amountDue: 0 },
        overdueBy(3),
        DEFAULT_DAYS,
        CLAIM_TIMEOUT_MS,
      ),
    ).toBeUndefined();
    expect(reminderDue({ ...invoice, amountRefunded: 100 }, overdueBy(3), DEFAULT_DAYS, CLAIM_TIMEOUT_MS)).toBeUndefined();
    expect(reminderDue({ ...invoice, status: 'void' }, overdueBy(3), DEFAULT_DAYS, CLAIM_TIMEOUT_MS)).toBeUndefined();
  });

  it('reads the configured days in any order', () => {
    // Prepare / Act / Assess
    expect(reminderDue(anInvoice(), overdueBy(8), [14, 7, 1], CLAIM_TIMEOUT_MS)).toEqual({ stage: 7, daysOverdue: 8, skipped: [1] });
  });
});

describe('withClaim', () => {
  it('adds the skipped stages and the claim in stage order, dropping the stale claim it replaces', () => {
    // Prepare
    const at = '2027-01-25T06:00:00.000Z';
    const reminders = [claim(3, overdueBy(3))];

    // Act
    const claimed = withClaim(reminders, { stage: 20, daysOverdue: 25, skipped: [3, 10] }, at);

    // Assess
    expect(claimed).toEqual([
      { stage: 3, status: 'skipped', at, messageId: null },
      { stage: 10, status: 'skipped', at, messageId: null },
      { stage: 20, status: 'sending', at, messageId: null },
    ]);
  });
});

describe('reminderDaysOf', () => {
  it('gives 3, 10 and 20 days until the catalog sets its own', () => {
    // Prepare
    const head = { taxRates: {}, meters: [], plans: [] };

    // Act / Assess
    expect(reminderDaysOf(head)).toEqual([3, 10, 20]);
    expect(DEFAULT_REMINDER_DAYS).toEqual([3, 10, 20]);
    expect(reminderDaysOf({ ...head, dunning: { reminderDays: [7, 30] } })).toEqual([7, 30]);
  });
});
