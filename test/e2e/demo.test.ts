/**
 * `npm start -- --demo`, the first thing a new user runs: it bills the demo month end to end
 * and prints the invoices; run again on the same state directory it changes nothing (events,
 * invoices, webhooks and reminders are all idempotent). The figures themselves are the
 * pipeline's, checked by hand in billing-cycle.test.ts; here the demo's own promises are checked.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { startPipeline, type PipelineProcess } from './pipeline-process.ts';

const DONE = 'the pipeline keeps running; Ctrl-C stops it';

interface Row {
  readonly number: string;
  readonly customer: string;
  readonly country: string;
  readonly total: string;
  readonly payment: string;
  readonly pdf: string;
}

/** The invoice table the demo prints: one row per invoice, columns two or more spaces apart. */
function tableRows(output: string): Row[] {
  return output
    .split('\n')
    .filter((line) => /^DEMO-\d{4}-\d{6}\s/.test(line))
    .map((line) => {
      const [number = '', customer = '', country = '', total = '', payment = '', pdf = ''] = line.trim().split(/\s{2,}/);
      return { number, customer, country, total, payment, pdf };
    });
}

let running: PipelineProcess | undefined;

afterAll(async () => {
  await running?.stop();
  running?.killGroup();
  if (running !== undefined) rmSync(running.home, { recursive: true, force: true });
}, 60_000);

describe('npm start -- --demo', () => {
  it('bills six customers in DE, FR, US and JP, pays some in full, some in part, reminds the unpaid one, and does it all once however often it runs', async () => {
    // Act: the first run, then a second one on the same BILLFLOW_HOME.
    running = await startPipeline({ args: ['--demo'] });
    await running.waitForOutput(DONE, 180_000);
    const first = (await running.stop()).output;
    running.killGroup();
    running = await startPipeline({ args: ['--demo'], home: running.home });
    await running.waitForOutput(DONE, 180_000);
    const second = running.output();

    // Assess: the first run.
    const rows = tableRows(first);
    expect(first).not.toContain('demo failed');
    expect(first.indexOf('\nready\n')).toBeLessThan(first.indexOf('demo:'));
    expect(first).toMatch(/events {4}31,008 sent in 311 messages \(608 redelivered copies\)/);
    expect(first).toContain('30,400 distinct events, once each; 608 duplicates dropped; 0 rejected');
    expect(first).toContain('6 finalized, 6 PDFs rendered, 6 emailed');
    expect(first).toContain('3 pay in full, 2 in part, 1 left unpaid\n');
    expect(first).toMatch(/1 reminder emailed \(DEMO-\d{4}-\d{6}, 3 days overdue\)/);
    expect(first).toContain('(6 invoice emails and 1 reminder to the demo customers)');
    expect(rows.map((row) => row.customer).sort()).toEqual([
      'cus_bergmann',
      'cus_dubois',
      'cus_lumiere',
      'cus_northwind',
      'cus_sakura',
      'cus_weber',
    ]);
    expect(new Set(rows.map((row) => row.country))).toEqual(new Set(['DE', 'FR', 'US', 'JP']));
    expect(rows.map((row) => row.payment).sort()).toEqual(['paid', 'paid', 'paid', 'partially_paid', 'partially_paid', 'unpaid']);
    for (const row of rows) {
      expect(row.total).toMatch(/^[\d,]+(\.\d\d)? (EUR|USD|JPY)$/);
      expect(row.pdf).toBe(`s3://billflow-local-invoices/invoices/DEMO/${row.number.slice(5, 9)}/${row.number}.pdf`);
    }

    // Assess: the second run found everything done and did nothing again.
    expect(second).not.toContain('demo failed');
    expect(tableRows(second).map(({ pdf: _pdf, ...row }) => row)).toEqual(rows.map(({ pdf: _pdf, ...row }) => row));
    expect(second).toContain('30,400 distinct events, once each; 31,616 duplicates dropped; 0 rejected');
    expect(second).toContain('3 pay in full, 2 in part, 1 left unpaid; 5 answered as duplicates (applied before)');
    expect(second).toContain('no new reminder (each reminder is sent once)');
    // It claims no work it did not do, and the PDFs of the first run are still in the local S3.
    expect(second).toContain(
      '0 finalized, 0 PDFs rendered, 0 emailed; 6 finalized, 6 rendered and 6 emailed by an earlier run (each once)',
    );
    expect(second).not.toContain('(gone)');
    expect(second).toContain('npx billflow invoices pdf DEMO-');
  }, 420_000);
});
