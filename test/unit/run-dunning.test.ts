import { describe, expect, it } from 'vitest';
import type { CatalogHead } from '#domain/catalog/types.ts';
import type { Invoice, InvoiceDocument, Reminder } from '#domain/invoice/invoice.ts';
import { PermanentSendError } from '#ports/mailer.ts';
import { noOutboundEvents, type OutboundEvents } from '#ports/outbound-events.ts';
import type { OutboundFact } from '#domain/outbound/catalogue.ts';
import { outboundEventId } from '#domain/outbound/envelope.ts';
import { runDunning, type DunningDependencies } from '#use-cases/run-dunning.ts';
import { DunningRunError } from '#use-cases/errors.ts';
import { InMemoryDocuments, InMemoryInvoices, RecordingMailer } from '#test-support/in-memory-invoices.ts';
import { anInvoice, globexBuyer } from '#test-support/invoice-factory.ts';

const DAY_MS = 86_400_000;
const CLAIM_TIMEOUT_MS = 15 * 60_000;
const EMPTY_HEAD: CatalogHead = { taxRates: {}, meters: [], plans: [] };
const GLOBEX_INVOICE = 'ACME-2026-000042';

/** anInvoice() is due on 2026-12-31; the daily run fires at 06:00 UTC. */
const daysAfterDue = (days: number, hour = 6) => Date.parse('2026-12-31T00:00:00Z') + days * DAY_MS + hour * 3_600_000;

function renderedPdf(number: string): InvoiceDocument {
  return {
    bucket: 'invoices',
    key: `invoices/ACME/2026/${number}.pdf`,
    sha256: `sha-${number}`,
    bytes: 1024,
    renderedAt: '2026-12-01T02:00:05.000Z',
  };
}

/** A finalized, emailed, unpaid invoice with its PDF stored. */
function unpaidInvoice(overrides: Partial<Invoice> = {}): Invoice {
  const number = overrides.number ?? GLOBEX_INVOICE;
  return anInvoice({ number, paymentReference: number, document: renderedPdf(number ?? ''), deliveryStatus: 'sent', ...overrides });
}

function paid(invoice: Invoice): Invoice {
  return { ...invoice, paymentStatus: 'paid', amountPaid: invoice.total, amountDue: 0 };
}

function dunningDesk(
  invoices: readonly Invoice[],
  head: CatalogHead = EMPTY_HEAD,
  concurrency?: number,
  outbound: OutboundEvents = noOutboundEvents,
) {
  const repository = new InMemoryInvoices(invoices);
  const pdfs = Object.fromEntries(
    invoices.flatMap((invoice) => (invoice.document ? [[invoice.document.key, Buffer.from(`%PDF ${invoice.number}`)]] : [])),
  );
  const mailer = new RecordingMailer();
  const remindersSent: { number: string | null; stage: number }[] = [];
  let clock = 0;
  const deps: DunningDependencies = {
    invoices: repository,
    catalog: { readHead: async () => head },
    documents: new InMemoryDocuments(pdfs),
    mailer,
    now: () => clock,
    claimTimeoutMs: CLAIM_TIMEOUT_MS,
    concurrency,
    onReminderSent: (invoice, stage) => remindersSent.push({ number: invoice.number, stage }),
    outbound,
  };
  const runAt = (instant: number) => {
    clock = instant;
    return runDunning(instant, deps);
  };
  const subjects = () => mailer.sent.map((email) => email.subject);
  return { repository, mailer, deps, runAt, subjects, remindersSent };
}

const stagesOf = (reminders: readonly Reminder[]) => reminders.map(({ stage, status }) => ({ stage, status }));

describe('runDunning', () => {
  it('emails the reminders of day 3, 10 and 20 once each, however often it runs each day', async () => {
    // Prepare
    const desk = dunningDesk([unpaidInvoice()]);

    // Act: two runs a day for a month.
    for (let day = 0; day <= 30; day += 1) {
      await desk.runAt(daysAfterDue(day, 6));
      await desk.runAt(daysAfterDue(day, 18));
    }

    // Assess
    expect(desk.subjects()).toEqual([
      `Reminder: invoice ${GLOBEX_INVOICE} from Acme Cloud GmbH is 3 days overdue`,
      `Reminder: invoice ${GLOBEX_INVOICE} from Acme Cloud GmbH is 10 days overdue`,
      `Reminder: invoice ${GLOBEX_INVOICE} from Acme Cloud GmbH is 20 days overdue`,
    ]);
    expect(desk.repository.current(GLOBEX_INVOICE).reminders).toEqual([
      { stage: 3, status: 'sent', at: new Date(daysAfterDue(3)).toISOString(), messageId: 'msg-1' },
      { stage: 10, status: 'sent', at: new Date(daysAfterDue(10)).toISOString(), messageId: 'msg-2' },
      { stage: 20, status: 'sent', at: new Date(daysAfterDue(20)).toISOString(), messageId: 'msg-3' },
    ]);
    expect(desk.remindersSent).toEqual([3, 10, 20].map((stage) => ({ number: GLOBEX_INVOICE, stage })));
  });

  it('summarizes the run', async () => {
    // Prepare
    const desk = dunningDesk([unpaidInvoice(), unpaidInvoice({ number: 'ACME-2026-000043', dueDate: '2027-01-01' })]);

    // Act
    const summary = await desk.runAt(daysAfterDue(3));

    // Assess: the second invoice, due a day later, is 2 days overdue: not a candidate yet.
    expect(summary).toEqual({
      asOf: '2027-01-03T06:00:00.000Z',
      reminderDays: [3, 10, 20],
      candidates: 1,
      sent: [{ number: GLOBEX_INVOICE, stage: 3, messageId: 'msg-1' }],
      skipped: 0,
      failed: [],
    });
  });

  it('publishes invoice.overdue only once the reminder is recorded sent, and a failed publish neither fails the run nor the reminder', async () => {
    // Prepare: the bus refuses the first publish; each publish looks at what is stored then.
    const published: { fact: OutboundFact; storedReminders: string[] }[] = [];
    let refusals = 1;
    const outbound: OutboundEvents = {
      publish: async (facts) => {
        if (refusals-- > 0) throw new Error('bus unavailable');
        for (const fact of facts)
          published.push({
            fact,
            storedReminders: stagesOf(desk.repository.current(GLOBEX_INVOICE).reminders).map((r) => `${r.stage}:${r.status}`),
          });
      },
    };
    const desk = dunningDesk([unpaidInvoice()], EMPTY_HEAD, undefined, outbound);

    // Act
    const third = await desk.runAt(daysAfterDue(3));
    const tenth = await desk.runAt(daysAfterDue(10));

    // Assess: day 3's publish failed after the record (reported, left to the outbox sweep); day 10's saw its reminder recorded.
    expect(third.sent).toEqual([{ number: GLOBEX_INVOICE, stage: 3, messageId: 'msg-1', outboundError: 'bus unavailable' }]);
    expect(third.failed).toEqual([]);
    expect(tenth.sent).toEqual([{ number: GLOBEX_INVOICE, stage: 10, messageId: 'msg-2' }]);
    expect(published.map(({ fact }) => [fact.type, fact.key])).toEqual([['invoice.overdue', [GLOBEX_INVOICE, '10']]]);
    expect(published[0]!.storedReminders).toEqual(['3:sent', '10:sent']);
    expect(outboundEventId(published[0]!.fact)).toMatch(/^evt_[0-9a-f]{32}$/);
  });

  it('sends each reminder once when two runs overlap', async () => {
    // Prepare
    const numbers = ['ACME-2026-000042', 'ACME-2026-000043', 'ACME-2026-000044'];
    const desk = dunningDesk(numbers.map((number) => unpaidInvoice({ number })));

    // Act
    const [first, second] = await Promise.all([desk.runAt(daysAfterDue(3)), desk.runAt(daysAfterDue(3))]);

    // Assess
    expect(desk.mailer.sent.map((email) => email.attachment.filename).sort()).toEqual(numbers.map((number) => `${number}.pdf`));
    expect([...first.sent, ...second.sent].map((entry) => entry.number).sort()).toEqual(numbers);
    expect(first.skipped + second.skipped).toBe(3);
    for (const number of numbers) expect(stagesOf(desk.repository.current(number).reminders)).toEqual([{ stage: 3, status: 'sent' }]);
  });

  it('lists invoices due on or before the day of the run minus the first stage', async () => {
    // Prepare: due on New Year's Day, so 2 days overdue on 3 January, 3 days on the 4th.
    const desk = dunningDesk([unpaidInvoice({ dueDate: '2027-01-01' })]);

    // Act
    const lateOnTheThird = await desk.runAt(Date.parse('2027-01-03T23:59:59.999Z'));
    const earlyOnTheFourth = await desk.runAt(Date.parse('2027-01-04T00:00:00.000Z'));

    // Assess
    expect(desk.repository.receivableQueries).toEqual(['2027-01-01', '2027-01-02']);
    expect(lateOnTheThird.candidates).toBe(0);
    expect(earlyOnTheFourth.sent).toEqual([{ number: GLOBEX_INVOICE, stage: 3, messageId: 'msg-1' }]);
  });

  it('stops once the invoice is paid', async () => {
    // Prepare
    const desk = dunningDesk([unpaidInvoice()]);
    await desk.runAt(daysAfterDue(3));
    desk.repository.put(paid(desk.repository.current(GLOBEX_INVOICE)));

    // Act
    const tenth = await desk.runAt(daysAfterDue(10));
    const twentieth = await desk.runAt(daysAfterDue(20));

    // Assess
    expect(desk.subjects()).toEqual([`Reminder: invoice ${GLOBEX_INVOICE} from Acme Cloud GmbH is 3 days overdue`]);
    expect([tenth.candidates, twentieth.candidates]).toEqual([0, 0]);
  });

  it('does not remind an invoice paid between listing and claiming', async () => {
    // Prepare: the payment webhook lands while the run holds a stale list.
    const desk = dunningDesk([unpaidInvoice()]);
    const listed = desk.repository.listOpenReceivables.bind(desk.repository);
    desk.repository.listOpenReceivables = async (dueBefore) => {
      const found = await listed(dueBefore);
      desk.repository.put(paid(desk.repository.current(GLOBEX_INVOICE)));
      return found;
    };

    // Act
    const summary = await desk.runAt(daysAfterDue(3));

    // Assess
    expect(desk.mailer.sent).toEqual([]);
    expect(summary).toMatchObject({ candidates: 1, sent: [], skipped: 1 });
    expect(desk.repository.current(GLOBEX_INVOICE).reminders).toEqual([]);
  });

  it('leaves refunded and disputed invoices alone', async () => {
    // Prepare
    const desk = dunningDesk([
      unpaidInvoice({ number: 'ACME-2026-000042', paymentStatus: 'partially_paid', amountPaid: 500, amountRefunded: 1000 }),
      unpaidInvoice({ number: 'ACME-2026-000043', paymentStatus: 'disputed' }),
    ]);

    // Act
    const summary = await desk.runAt(daysAfterDue(3));

    // Assess
    expect(desk.mailer.sent).toEqual([]);
    expect(summary).toMatchObject({ candidates: 2, sent: [], skipped: 2 });
  });

  it('sends an invoice first seen 25 days overdue one reminder, for day 20, and records 3 and 10 as skipped', async () => {
    // Prepare
    const desk = dunningDesk([unpaidInvoice()]);

    // Act
    await desk.runAt(daysAfterDue(25));
    await desk.runAt(daysAfterDue(26));

    // Assess
    expect(desk.subjects()).toEqual([`Reminder: invoice ${GLOBEX_INVOICE} from Acme Cloud GmbH is 25 days overdue`]);
    expect(stagesOf(desk.repository.current(GLOBEX_INVOICE).reminders)).toEqual([
      { stage: 3, status: 'skipped' },
      { stage: 10, status: 'skipped' },
      { stage: 20, status: 'sent' },
    ]);
  });

  it('releases the claim when sending fails, reminds the other customers, fails the run, and the next run sends it', async () => {
    // Prepare
    // One at a time, so the failure hits the first invoice.
    const desk = dunningDesk([unpaidInvoice({ number: 'ACME-2026-000042' }), unpaidInvoice({ number: 'ACME-2026-000043' })], EMPTY_HEAD, 1);
    desk.mailer.failNext(new Error('Maximum sending rate exceeded.'));

    // Act
    const failure = await desk.runAt(daysAfterDue(3)).catch((error: unknown) => error);
    const retry = await desk.runAt(daysAfterDue(3, 7));

    // Assess
    expect(failure).toBeInstanceOf(DunningRunError);
    expect((failure as DunningRunError).summary).toMatchObject({
      sent: [{ number: 'ACME-2026-000043', stage: 3 }],
      failed: [{ number: 'ACME-2026-000042', stage: 3, reason: 'Maximum sending rate exceeded.', permanent: false }],
    });
    expect(retry.sent).toEqual([{ number: 'ACME-2026-000042', stage: 3, messageId: 'msg-2' }]);
    expect(desk.mailer.sent.map((email) => email.attachment.filename)).toEqual(['ACME-2026-000043.pdf', 'ACME-2026-000042.pdf']);
    expect(stagesOf(desk.repository.current('ACME-2026-000042').reminders)).toEqual([{ stage: 3, status: 'sent' }]);
  });

  it('skips a stage the provider refuses for good, records the problem, and tries again at the next stage', async () => {
    // Prepare
    const desk = dunningDesk([unpaidInvoice()]);
    desk.mailer.failNext(new PermanentSendError('Email address is not verified.'));

    // Act
    const refused = await desk.runAt(daysAfterDue(3));
    const sameDay = await desk.runAt(daysAfterDue(3, 18));
    const tenth = await desk.runAt(daysAfterDue(10));

    // Assess
    expect(refused.failed).toEqual([{ number: GLOBEX_INVOICE, stage: 3, reason: 'Email address is not verified.', permanent: true }]);
    expect(sameDay.sent).toEqual([]);
    expect(tenth.sent).toEqual([{ number: GLOBEX_INVOICE, stage: 10, messageId: 'msg-1' }]);
    const invoice = desk.repository.current(GLOBEX_INVOICE);
    expect(stagesOf(invoice.reminders)).toEqual([
      { stage: 3, status: 'skipped' },
      { stage: 10, status: 'sent' },
    ]);
    expect(invoice.deliveryProblem).toEqual({
      kind: 'send_failure',
      detail: 'overdue reminder (day 3): Email address is not verified.',
      at: new Date(daysAfterDue(3)).toISOString(),
    });
  });

  it('keeps the claim of a reminder sent but not recorded, so it goes out again only once the claim is stale', async () => {
    // Prepare: the table is unavailable right after SES accepted the email.
    const desk = dunningDesk([unpaidInvoice()]);
    desk.repository.linkEmail = async () => {
      throw new Error('ProvisionedThroughputExceededException');
    };

    // Act
    const failure = await desk.runAt(daysAfterDue(3)).catch((error: unknown) => error);
    delete (desk.repository as Partial<InMemoryInvoices>).linkEmail;
    const retried = await desk.runAt(daysAfterDue(3) + 60_000);
    const afterTimeout = await desk.runAt(daysAfterDue(3) + CLAIM_TIMEOUT_MS);

    // Assess
    expect((failure as DunningRunError).summary.failed).toEqual([
      {
        number: GLOBEX_INVOICE,
        stage: 3,
        reason: 'sent as msg-1 but not recorded: ProvisionedThroughputExceededException',
        permanent: false,
      },
    ]);
    expect(retried).toMatchObject({ sent: [], skipped: 1 });
    expect(afterTimeout.sent).toEqual([{ number: GLOBEX_INVOICE, stage: 3, messageId: 'msg-2' }]);
    expect(stagesOf(desk.repository.current(GLOBEX_INVOICE).reminders)).toEqual([{ stage: 3, status: 'sent' }]);
  });

  it('reminds on the days the catalog sets', async () => {
    // Prepare
    const desk = dunningDesk([unpaidInvoice()], { ...EMPTY_HEAD, dunning: { reminderDays: [7, 14] } });

    // Act
    for (let day = 0; day <= 20; day += 1) await desk.runAt(daysAfterDue(day));

    // Assess
    expect(desk.subjects()).toEqual([
      `Reminder: invoice ${GLOBEX_INVOICE} from Acme Cloud GmbH is 7 days overdue`,
      `Reminder: invoice ${GLOBEX_INVOICE} from Acme Cloud GmbH is 14 days overdue`,
    ]);
    // Day 7 of an invoice due on 31 December is 7 January: asked for due dates before the 1st.
    expect(desk.repository.receivableQueries[7]).toBe('2027-01-01');
  });

  it('skips an invoice whose PDF is not stored yet, and reminds it once it is', async () => {
    // Prepare
    const desk = dunningDesk([unpaidInvoice()]);
    const withPdf = desk.repository.current(GLOBEX_INVOICE);
    desk.repository.put({ ...withPdf, document: null });

    // Act
    const withoutDocument = await desk.runAt(daysAfterDue(3));
    desk.repository.put(withPdf);
    const withDocument = await desk.runAt(daysAfterDue(4));

    // Assess
    expect(withoutDocument).toMatchObject({ candidates: 1, sent: [], skipped: 1 });
    expect(withDocument.sent).toEqual([{ number: GLOBEX_INVOICE, stage: 3, messageId: 'msg-1' }]);
  });

  it('leaves a live claim of another run alone and takes it over once it is stale', async () => {
    // Prepare: a run claimed day 3 a minute ago, then crashed before sending.
    const claimedAt = daysAfterDue(3) - 60_000;
    const desk = dunningDesk([
      unpaidInvoice({ reminders: [{ stage: 3, status: 'sending', at: new Date(claimedAt).toISOString(), messageId: null }] }),
    ]);

    // Act
    const whileLive = await desk.runAt(daysAfterDue(3));
    const onceStale = await desk.runAt(claimedAt + CLAIM_TIMEOUT_MS);

    // Assess
    expect(whileLive).toMatchObject({ sent: [], skipped: 1 });
    expect(onceStale.sent).toEqual([{ number: GLOBEX_INVOICE, stage: 3, messageId: 'msg-1' }]);
    expect(stagesOf(desk.repository.current(GLOBEX_INVOICE).reminders)).toEqual([{ stage: 3, status: 'sent' }]);
  });

  it('emails the customer from the issuer with the amount still due, how to pay, and the stored PDF', async () => {
    // Prepare: partly paid, and a customer name that must be escaped in HTML.
    const buyer = { ...globexBuyer, name: 'Globex & Fils <SARL>' };
    const desk = dunningDesk([
      unpaidInvoice({ buyer, paymentStatus: 'partially_paid', total: 150_000, amountPaid: 50_000, amountDue: 100_000 }),
    ]);

    // Act
    await desk.runAt(daysAfterDue(10));

    // Assess
    const [email] = desk.mailer.sent;
    expect(email).toMatchObject({
      from: 'Acme Cloud GmbH <billing@acme.example>',
      to: 'ap@globex.example',
      subject: `Reminder: invoice ${GLOBEX_INVOICE} from Acme Cloud GmbH is 10 days overdue`,
      attachment: { filename: `${GLOBEX_INVOICE}.pdf`, content: Buffer.from(`%PDF ${GLOBEX_INVOICE}`), contentType: 'application/pdf' },
    });
    for (const words of [
      'Amount due: 1000.00 EUR',
      'due on 2026-12-31',
      'is 10 days overdue',
      'IBAN DE89370400440532013000',
      'BIC COBADEFFXXX',
      `reference ${GLOBEX_INVOICE}`,
      'If you have already paid, please disregard this reminder.',
    ]) {
      expect(email?.text).toContain(words);
    }
    expect(email?.html).toContain('Dear Globex &amp; Fils &lt;SARL&gt;,');
    expect(email?.html).toContain('Amount due: 1000.00 EUR');
    expect(email?.html).toContain('If you have already paid, please disregard this reminder.');
    // A bounce of the reminder finds its invoice like one of the invoice email.
    expect(await desk.repository.findNumberByEmail('msg-1')).toBe(GLOBEX_INVOICE);
  });
});
