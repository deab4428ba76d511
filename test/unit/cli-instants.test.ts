/**
 * The CLI's instants (issue 12): strict RFC 3339, as for event times, and the period an
 * `invoices run` closes without --period: never more than 3 before the last ended one.
 */
import { describe, expect, it } from 'vitest';
import { MAX_PERIODS_BACK, parseInstant, periodToRun } from '#cli/options.ts';

describe('parseInstant', () => {
  it.each([
    ['2026-12-01T02:00:00Z', Date.UTC(2026, 11, 1, 2)],
    ['2026-12-01T03:00:00+01:00', Date.UTC(2026, 11, 1, 2)],
    ['2028-02-29T00:00:00Z', Date.UTC(2028, 1, 29)],
    ['2026-11-30T23:59:59.999Z', Date.UTC(2026, 10, 30, 23, 59, 59, 999)],
  ])('reads %s', (text, expected) => {
    expect(parseInstant('--as-of', text, 'e.g.')).toBe(expected);
  });

  it.each([
    '1',
    '2001',
    '2026-12-01',
    '2027-02-30T00:00:00Z',
    '2027-02-29T00:00:00Z',
    '2026-12-01T24:00:00Z',
    '2026-12-01 02:00:00Z',
    '2026-12-01T02:00:00',
    'Tue, 01 Dec 2026 02:00:00 GMT',
  ])('refuses %s, saying what to give instead', (text) => {
    expect(() => parseInstant('--as-of', text, '2026-12-01T02:00:00Z')).toThrow(
      `--as-of ${text} is not an RFC 3339 date-time: give a real date and time with an offset, e.g. 2026-12-01T02:00:00Z`,
    );
  });

  it('is now when no instant is given', () => {
    const before = Date.now();
    const now = parseInstant('--as-of', undefined, 'e.g.');
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});

describe('periodToRun', () => {
  const NOW = Date.UTC(2026, 11, 4, 14); // 4 December 2026: the last ended period is 2026-11

  it('closes the last period ended at --as-of, across month ends', () => {
    expect(periodToRun(Date.UTC(2026, 11, 1, 0, 0, 0), NOW, 'x')).toBe('2026-11');
    expect(periodToRun(Date.UTC(2026, 10, 30, 23, 59, 59, 999), NOW, 'x')).toBe('2026-10');
    expect(periodToRun(Date.UTC(2026, 0, 1, 2), Date.UTC(2026, 0, 15), 'x')).toBe('2025-12');
  });

  it('allows an --as-of in the future (the current period closed early, as tests and demos do)', () => {
    expect(periodToRun(Date.UTC(2027, 0, 1, 2), NOW, 'x')).toBe('2026-12');
  });

  it(`allows ${MAX_PERIODS_BACK} periods back and refuses one more, naming the period and --period`, () => {
    expect(periodToRun(Date.UTC(2026, 8, 1, 2), NOW, 'x')).toBe('2026-08');
    expect(() => periodToRun(Date.UTC(2026, 7, 1, 2), NOW, '2026-08-01T02:00:00Z')).toThrow(
      '--as-of 2026-08-01T02:00:00Z would bill 2026-07, 4 periods before the last ended period (2026-11); a run more than 3 periods back must name its period: check --as-of, or add --period 2026-07 if that is meant',
    );
  });

  it("refuses the issue's --as-of 1 read as 2001 (had it parsed)", () => {
    expect(() => periodToRun(Date.UTC(2001, 0, 1), NOW, '2001-01-01T00:00:00Z')).toThrow('would bill 2000-12, 311 periods before');
  });
});
