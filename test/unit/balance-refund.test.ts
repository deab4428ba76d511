/**
 * Paying customer balance back (domain/balance/ledger.ts requestedRefund and
 * use-cases/refund-customer-balance.ts): what is recorded, every refusal with what to fix, a
 * retried command recording nothing twice, racing refunds never taking the balance below zero,
 * and the balance.refunded fact recorded with the movement and published once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { availableBalance, refundableAt, requestedRefund, type BalanceMovement } from '#domain/balance/ledger.ts';
import { BalanceRefundError, InsufficientBalanceError } from '#domain/errors.ts';
import type { OutboundFact } from '#domain/outbound/catalogue.ts';
import { formatMinor } from '#domain/money.ts';
import type { OutboundEvents } from '#ports/outbound-events.ts';
import { InMemoryCustomerBalances } from '#test-support/in-memory-balances.ts';
import { UnknownBalanceCustomerError } from '#use-cases/errors.ts';
import { refundCustomerBalance } from '#use-cases/refund-customer-balance.ts';

const ACCOUNT = { customerId: 'cus_42', currency: 'EUR' } as const;
const AT = '2026-12-06T09:00:00.000Z';

function credited(amount: number, account: { customerId: string; currency: string } = ACCOUNT): BalanceMovement {
  return {
    id: `credit_note:CN-${amount}`,
    ...account,
    kind: 'credit_note',
    amount,
    at: '2026-12-01T10:00:00.000Z',
    reference: `CN-${amount}`,
  };
}

function capturingOutbound(): OutboundEvents & { published: OutboundFact[] } {
  const published: OutboundFact[] = [];
  return {
    published,
    publish: async (facts) => {
      published.push(...facts);
    },
  };
}

describe('requestedRefund', () => {
  const ledger = [credited(1190)];

  it('takes the exact amount out of the balance, keyed by the reference', () => {
    expect(requestedRefund(ledger, ACCOUNT, { amount: '11.9', reference: ' SEPA-0042 ' }, AT)).toEqual({
      id: 'refund:SEPA-0042',
      ...ACCOUNT,
      kind: 'refund',
      amount: -1190,
      at: AT,
      reference: 'SEPA-0042',
    });
    expect(
      requestedRefund(
        [credited(1000, { customerId: 'cus_42', currency: 'JPY' })],
        { customerId: 'cus_42', currency: 'JPY' },
        { amount: '1000', reference: 'R' },
        AT,
      )?.amount,
    ).toBe(-1000);
  });

  it('records nothing for a retry (same reference, same amount) and refuses the reference for another amount', () => {
    const refund = requestedRefund(ledger, ACCOUNT, { amount: '5.00', reference: 'SEPA-0042' }, AT)!;
    const after = [...ledger, refund];
    expect(requestedRefund(after, ACCOUNT, { amount: '5', reference: 'SEPA-0042' }, '2026-12-07T09:00:00.000Z')).toBeUndefined();
    expect(() => requestedRefund(after, ACCOUNT, { amount: '6.00', reference: 'SEPA-0042' }, AT)).toThrow(
      new BalanceRefundError(
        'reference',
        'reference SEPA-0042 was already used for a refund of 5.00 EUR on 2026-12-06, not 6.00 EUR: give this refund its own reference',
      ),
    );
    // Another currency's ledger is another account: the reference is free there.
    expect(
      requestedRefund(
        [...after, credited(300, { customerId: 'cus_42', currency: 'USD' })],
        { customerId: 'cus_42', currency: 'USD' },
        { amount: '3', reference: 'SEPA-0042' },
        AT,
      )?.amount,
    ).toBe(-300);
  });

  it('refuses more than is available, saying how much is', () => {
    expect(() => requestedRefund(ledger, ACCOUNT, { amount: '11.91', reference: 'R' }, AT)).toThrow(InsufficientBalanceError);
    expect(() => requestedRefund(ledger, ACCOUNT, { amount: '11.91', reference: 'R' }, AT)).toThrow(
      'Customer cus_42 has 11.90 EUR of balance available; 11.91 EUR cannot be taken out of it: take at most 11.90 EUR',
    );
    expect(() => requestedRefund([], ACCOUNT, { amount: '1', reference: 'R' }, AT)).toThrow('has 0.00 EUR of balance available');
  });

  it.each([
    ['11.905', 'refund amount "11.905" has more decimals than EUR has (2): give it in EUR, e.g. 11.91'],
    ['0', 'refund amount "0" must be above 0'],
    ['-5', 'refund amount "-5" must be above 0'],
    ['ten', 'refund amount "ten" is not a number: give it in EUR, e.g. 12.50'],
    ['', 'refund amount "" is not a number'],
    ['1e3', 'refund amount "1e3" is not a number'],
    ['0x10', 'refund amount "0x10" is not a number'],
    ['12,50', 'refund amount "12,50" is not a number'],
  ])('refuses the amount %j, saying what to give', (amount, message) => {
    expect(() => requestedRefund(ledger, ACCOUNT, { amount, reference: 'R' }, AT)).toThrow(BalanceRefundError);
    expect(() => requestedRefund(ledger, ACCOUNT, { amount, reference: 'R' }, AT)).toThrow(message);
  });

  it.each([[''], ['   '], ['line\nbreak'], ['x'.repeat(141)]])('refuses the reference %j', (reference) => {
    expect(() => requestedRefund(ledger, ACCOUNT, { amount: '1', reference }, AT)).toThrow(/a refund reference is 1 to 140 characters/);
  });

  it('takes out exactly the amount written, for any amount up to what is available (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 0, max: 10_000_000 }), (available, wanted) => {
        const amount = formatMinor(wanted, 'EUR');
        const start = [credited(available)];
        if (wanted === 0) {
          expect(() => requestedRefund(start, ACCOUNT, { amount, reference: 'R' }, AT)).toThrow(BalanceRefundError);
        } else if (wanted > available) {
          expect(() => requestedRefund(start, ACCOUNT, { amount, reference: 'R' }, AT)).toThrow(InsufficientBalanceError);
        } else {
          const refund = requestedRefund(start, ACCOUNT, { amount, reference: 'R' }, AT)!;
          expect(refund.amount).toBe(-wanted);
          expect(availableBalance([...start, refund], ACCOUNT)).toBe(available - wanted);
        }
      }),
    );
  });
});

describe('a refund dated before some of the movements (--as-of)', () => {
  // 11.90 owed on 1 December, 5.00 of it used by an invoice on 3 December: 6.90 left.
  const movement = (kind: BalanceMovement['kind'], amount: number, at: string): BalanceMovement => ({
    id: `${kind}:${at}`,
    ...ACCOUNT,
    kind,
    amount,
    at,
    reference: 'X',
  });
  const ledger = [
    movement('credit_note', 1190, '2026-12-01T10:00:00.000Z'),
    movement('applied_to_invoice', -500, '2026-12-03T02:00:00.000Z'),
  ];
  const refund = (amount: string, at: string) => () => requestedRefund(ledger, ACCOUNT, { amount, reference: 'R' }, at);

  it('takes at most what the balance held then, less what was taken out of it since, and says so', () => {
    expect(refund('6.90', '2026-12-02T09:00:00.000Z')()!.amount).toBe(-690);
    expect(refund('6.90', '2026-12-04T09:00:00.000Z')()!.amount).toBe(-690);
    // What the invoice used on 3 December was gone either way: the plain refusal.
    expect(refund('6.91', '2026-12-02T09:00:00.000Z')).toThrow('Customer cus_42 has 6.90 EUR of balance available; 6.91 EUR cannot');
    // Before the credit note there was nothing to pay back.
    expect(refund('1.00', '2026-11-30T09:00:00.000Z')).toThrow(InsufficientBalanceError);
    expect(refund('1.00', '2026-11-30T09:00:00.000Z')).toThrow(
      'a refund dated 2026-11-30T09:00:00.000Z can take at most 0.00 EUR of it (what the balance held then, less what was taken out of it since); 1.00 EUR cannot be taken out of it: date the refund later or take at most 0.00 EUR',
    );
  });

  it('never takes the balance below zero at any date, and takes all that allows (property, against a brute-force replay)', () => {
    const day = (n: number) => new Date(Date.UTC(2026, 10, 1 + n)).toISOString();
    const ledgers = fc
      .array(fc.record({ day: fc.integer({ min: 0, max: 30 }), amount: fc.integer({ min: -5_000, max: 5_000 }) }), { maxLength: 12 })
      .map((steps) => {
        // Kept only where the running balance, in date order, stays at or above zero (as the ledger keeps it).
        let running = 0;
        const kept: BalanceMovement[] = [];
        for (const [index, step] of [...steps].sort((a, b) => a.day - b.day).entries()) {
          if (running + step.amount < 0 || step.amount === 0) continue;
          running += step.amount;
          kept.push(
            movement(
              step.amount > 0 ? 'credit_note' : 'applied_to_invoice',
              step.amount,
              `${day(step.day).slice(0, 11)}0${index % 10}:00:00.000Z`,
            ),
          );
        }
        return kept;
      });
    /** Whether the ledger, with a refund of `amount` at `at` (after movements at the same instant), stays at or above zero in date order. */
    const fits = (movements: readonly BalanceMovement[], amount: number, at: string): boolean => {
      const replay = [...movements.map((m) => ({ at: m.at, amount: m.amount, order: 0 })), { at, amount: -amount, order: 1 }].sort(
        (a, b) => (a.at === b.at ? a.order - b.order : a.at < b.at ? -1 : 1),
      );
      let running = 0;
      return replay.every((entry) => (running += entry.amount) >= 0);
    };
    fc.assert(
      fc.property(ledgers, fc.integer({ min: -1, max: 31 }), fc.integer({ min: 0, max: 23 }), (movements, refundDay, hour) => {
        const at = `${day(refundDay).slice(0, 11)}${String(hour).padStart(2, '0')}:30:00.000Z`;
        const most = refundableAt(movements, ACCOUNT, at);
        expect(most).toBeGreaterThanOrEqual(0);
        expect(fits(movements, most, at)).toBe(true);
        expect(fits(movements, most + 1, at)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});

describe('refundCustomerBalance', () => {
  const at = () => Date.parse(AT);
  const known = () => Promise.resolve(true);

  it('refuses a customer with no balance as unknown when the catalog does not have it either, and as without balance when it does', async () => {
    const refund = (customerExists: () => Promise<boolean>) =>
      refundCustomerBalance(
        ACCOUNT,
        { amount: '1.00', reference: 'R' },
        { balances: new InMemoryCustomerBalances(), customerExists, now: at, outbound: capturingOutbound() },
      );

    await expect(refund(() => Promise.resolve(false))).rejects.toThrow(new UnknownBalanceCustomerError('cus_42'));
    await expect(refund(known)).rejects.toBeInstanceOf(InsufficientBalanceError);
  });

  it('refuses a backdated refund of a customer the catalog no longer has but who has a balance as too early, not as unknown', async () => {
    const balances = new InMemoryCustomerBalances([credited(1190)]);
    const beforeTheCredit = () => Date.parse('2026-11-30T09:00:00.000Z');

    const refused = refundCustomerBalance(
      ACCOUNT,
      { amount: '1.00', reference: 'R' },
      { balances, customerExists: () => Promise.resolve(false), now: beforeTheCredit, outbound: capturingOutbound() },
    );

    await expect(refused).rejects.toBeInstanceOf(InsufficientBalanceError);
    await expect(refused).rejects.toThrow('a refund dated 2026-11-30T09:00:00.000Z can take at most 0.00 EUR');
  });

  it('records the refund with its balance.refunded fact and publishes it once; a retry changes nothing', async () => {
    // Prepare
    const balances = new InMemoryCustomerBalances([credited(1190)]);
    const outbound = capturingOutbound();

    // Act
    const first = await refundCustomerBalance(
      ACCOUNT,
      { amount: '10.00', reference: 'SEPA-0042' },
      { balances, customerExists: known, now: at, outbound },
    );
    const retried = await refundCustomerBalance(
      ACCOUNT,
      { amount: '10.00', reference: 'SEPA-0042' },
      { balances, customerExists: known, now: () => at() + 60_000, outbound },
    );

    // Assess
    expect(first).toMatchObject({ alreadyRecorded: false, available: 190, refund: { kind: 'refund', amount: -1000, at: AT } });
    expect(first.outboundError).toBeUndefined();
    expect(retried).toEqual({ alreadyRecorded: true, available: 190, refund: first.refund });
    const fact = {
      type: 'balance.refunded',
      key: ['cus_42', 'EUR', 'SEPA-0042'],
      subject: 'cus_42',
      time: AT,
      data: { customerId: 'cus_42', currency: 'EUR', amount: 1000, reference: 'SEPA-0042', at: AT, available: 190 },
    };
    expect(balances.recordedFacts).toEqual([fact]);
    expect(outbound.published).toEqual([fact]);
  });

  it('keeps the refund when publishing fails, and says why (its fact waits in the outbox)', async () => {
    const balances = new InMemoryCustomerBalances([credited(1190)]);
    const refusing: OutboundEvents = {
      publish: async () => {
        throw new Error('bus unavailable');
      },
    };

    const outcome = await refundCustomerBalance(
      ACCOUNT,
      { amount: '11.90', reference: 'R1' },
      { balances, customerExists: known, now: at, outbound: refusing },
    );

    expect(outcome).toMatchObject({ alreadyRecorded: false, available: 0, outboundError: 'bus unavailable' });
    expect(balances.recordedFacts.map((fact) => fact.type)).toEqual(['balance.refunded']);
    expect(availableBalance(await balances.movements('cus_42'), ACCOUNT)).toBe(0);
  });

  it('lets only as many racing refunds through as the balance covers', async () => {
    const balances = new InMemoryCustomerBalances([credited(1000)]);
    const outbound = capturingOutbound();

    const outcomes = await Promise.allSettled(
      ['A', 'B', 'C'].map((reference) =>
        refundCustomerBalance(ACCOUNT, { amount: '4.00', reference }, { balances, customerExists: known, now: at, outbound }),
      ),
    );

    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(2);
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(InsufficientBalanceError);
    expect(availableBalance(await balances.movements('cus_42'), ACCOUNT)).toBe(200);
    expect(outbound.published).toHaveLength(2);
  });
});
