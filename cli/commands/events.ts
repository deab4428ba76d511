/** `billflow events send | rejected | replay`. */
import type { Command } from 'commander';
import { batchBodies, sendBodies } from '#adapters/sqs/send-bodies.ts';
import { replayRejected } from '#use-cases/replay-rejected.ts';
import { groupEventTexts, MAX_EVENTS_PER_BODY } from '#formats/cloudevents-batch.ts';
import type { RejectedEvent } from '#ports/rejected-event-store.ts';
import { createContext, type CliContext } from '../context.ts';
import { emit, table } from '../output.ts';
import { readEventsFile } from '../read-events-file.ts';
import { parseBatchSize, parsePeriod, parseShare, parseWholeNumber, type GlobalOptions } from '../options.ts';
import { currentPeriod, generateSampleEvents } from '../sample-events.ts';
import { UsageError } from '../errors.ts';
import { periodSegments } from '#domain/subscriptions/segments.ts';
import { subscriptionsOf } from '#domain/subscriptions/subscription.ts';
import { writeFileSync } from 'node:fs';
import { describeIngested, eventTotals, waitUntilIngested } from '../ingestion.ts';

export function registerEventCommands(program: Command, globals: () => GlobalOptions): void {
  const events = program.command('events').description('send, inspect and replay billing events');

  events
    .command('send')
    .description(
      'send CloudEvents from a JSON array or NDJSON file to the events queue, in batch bodies, and wait until the pipeline has stored or rejected them',
    )
    .argument('<file>', 'JSON array or NDJSON of CloudEvents')
    .option('--batch-size <n>', `events per message body (1-${MAX_EVENTS_PER_BODY})`, String(MAX_EVENTS_PER_BODY))
    .option('--no-wait', 'return once sent, without waiting for ingestion (then watch billflow stats)')
    .option('--timeout <seconds>', 'how long to wait for ingestion', '600')
    .action(async (file: string, options: { batchSize: string; wait: boolean; timeout: string }) => {
      const context = createContext(globals().outputs);
      const payload = readEventsFile(file);
      const bodies = batchBodies(payload, parseBatchSize(options.batchSize));
      const timeoutMs = parseWholeNumber('--timeout', options.timeout, 1, 86_400) * 1000;
      const before = options.wait ? await eventTotals(context) : undefined;
      const result = await sendBodies(context.clients.sqs, context.outputs.eventsQueueUrl, bodies);
      const sent = `sent ${payload.length} events in ${result.sent} of ${bodies.length} messages`;
      const ingested = before === undefined ? undefined : await waitUntilIngested(context, before, timeoutMs);
      const document = {
        events: payload.length,
        messages: bodies.length,
        sentMessages: result.sent,
        failed: result.failed,
        ...(ingested === undefined ? {} : { ingested }),
      };
      emit(globals(), document, () =>
        ingested === undefined
          ? `${sent}; ingestion is asynchronous: billflow stats shows them as they are stored (or send without --no-wait, which waits)`
          : `${sent}; stored by the pipeline: ${describeIngested(ingested)}`,
      );
      if (result.failed.length > 0) {
        process.stderr.write(`${result.failed.length} messages could not be sent: ${result.failed[0]!.error}\n`);
        process.exitCode = 1;
      }
    });

  events
    .command('generate')
    .description("write sample CloudEvents for the catalog's customers (NDJSON), with duplicates and invalid events mixed in")
    .requiredOption('--out <file>', 'NDJSON file to write')
    .option('--count <n>', 'events to write, duplicates and invalid ones included', '10000')
    .option('--period <YYYY-MM>', 'billing period the events fall in (default: the current one)')
    .option('--duplicates <share>', 'share of exact duplicates, 0 to 0.9', '0.1')
    .option('--invalid <share>', 'share of invalid events, 0 to 0.9', '0.02')
    .option('--seed <n>', 'seed: the same seed writes the same events', '1')
    .action(async (options: { out: string; count: string; period?: string; duplicates: string; invalid: string; seed: string }) => {
      const context = createContext(globals().outputs);
      const customers = await context.catalog.listCustomers();
      const period = parsePeriod(options.period) ?? currentPeriod(Date.now());
      // Only customers subscribed for the whole period, so every valid event is accepted and
      // the expected counts hold (an event outside a subscription is rejected).
      const subscribed = customers.filter((customer) => periodSegments(subscriptionsOf(customer), period).some((segment) => segment.whole));
      if (customers.length > 0 && subscribed.length === 0)
        throw new UsageError(
          `no customer has a subscription covering all of ${period}: start one (billflow subscriptions start) or choose another --period`,
        );
      const sample = generateSampleEvents({
        customerIds: subscribed.map((customer) => customer.id),
        count: parseWholeNumber('--count', options.count, 1, 1_000_000),
        period,
        duplicateShare: parseShare('--duplicates', options.duplicates),
        invalidShare: parseShare('--invalid', options.invalid),
        seed: parseWholeNumber('--seed', options.seed, 0, 2 ** 31),
        notAfter: Date.now(),
      });
      writeFileSync(options.out, sample.events.map((event) => JSON.stringify(event)).join('\n') + '\n');
      emit(
        globals(),
        { file: options.out, expected: sample.expected },
        () =>
          `wrote ${sample.events.length} events to ${options.out}; once sent, billflow stats should show received ${sample.expected.received}, accepted ${sample.expected.accepted}, duplicates ${sample.expected.duplicates}, rejected ${sample.expected.rejected}`,
      );
    });

  events
    .command('rejected')
    .description('list rejected events with the reason each was rejected')
    .option('--period <YYYY-MM>', 'only events of this billing period')
    .option('--all', 'include rejected events already replayed')
    .action(async (options: { period?: string; all?: boolean }) => {
      const context = createContext(globals().outputs);
      const period = parsePeriod(options.period);
      const rows: RejectedEvent[] = [];
      for await (const rejection of context.rejected.list({
        ...(period === undefined ? {} : { period }),
        ...(options.all ? {} : { status: 'open' as const }),
      })) {
        rows.push(rejection);
      }
      rows.sort((a, b) => a.firstReceivedAt.localeCompare(b.firstReceivedAt) || a.key.localeCompare(b.key));
      emit(globals(), { count: rows.length, rejected: rows }, () =>
        rows.length === 0
          ? 'no rejected events'
          : `${table(
              ['KEY', 'PERIOD', 'CUSTOMER', 'EVENT', 'STATUS', 'REASON'],
              rows.map((r) => [r.key.slice(0, 12), r.period, r.customerId ?? '-', r.id ?? '-', r.status, r.reason]),
            )}\n${rows.length} rejected events`,
      );
    });

  events
    .command('replay')
    .description(
      're-submit open rejected events to the events queue (after fixing the cause), wait, and say which were accepted and which rejected again',
    )
    .option('--period <YYYY-MM>', 'only events of this billing period')
    .option('--key <key...>', 'only these rejected events (keys as listed by `events rejected --json`)')
    .option('--no-wait', 'return once sent, without waiting for ingestion')
    .option('--timeout <seconds>', 'how long to wait for ingestion', '600')
    .action(async (options: { period?: string; key?: string[]; wait: boolean; timeout: string }) => {
      const context = createContext(globals().outputs);
      const period = parsePeriod(options.period);
      const timeoutMs = parseWholeNumber('--timeout', options.timeout, 1, 86_400) * 1000;
      const before = options.wait ? await eventTotals(context) : undefined;
      const result = await replayRejected(
        context.rejected,
        (texts) => sendEventTexts(context, texts),
        { ...(period === undefined ? {} : { period }), ...(options.key === undefined ? {} : { keys: options.key }) },
        Date.now(),
      );
      if (result.failed.length > 0) process.exitCode = 1;
      if (result.selected === 0) {
        emit(globals(), result, () => 'no open rejected events to replay (billflow events rejected --all lists the replayed ones too)');
        return;
      }
      const sent = `re-sent ${result.sent} of ${result.selected} open rejected events to the events queue`;
      if (before === undefined) {
        emit(globals(), result, () => `${sent}; ingestion is asynchronous: billflow events rejected shows those rejected again`);
        return;
      }
      const ingested = await waitUntilIngested(context, before, timeoutMs);
      const replayed = new Set(result.sentKeys);
      let rejectedAgain = 0;
      for await (const rejection of context.rejected.list({ status: 'open' })) if (replayed.has(rejection.key)) rejectedAgain += 1;
      const document = { ...result, ingested, rejectedAgain };
      emit(globals(), document, () =>
        [
          `${sent}; stored by the pipeline: ${describeIngested(ingested)}`,
          rejectedAgain === 0
            ? 'none was rejected again'
            : `${rejectedAgain} were rejected again for the same reasons and are open again (billflow events rejected): replay helps only once the cause is fixed ` +
              '(a customer added to the catalog, a meter property corrected, a sender clock fixed); an event that is itself malformed can only be fixed and sent again by its sender',
        ].join('\n'),
      );
    });
}

/** Rejected events' texts to the events queue as CloudEvents bodies; what failed comes back by text index. */
async function sendEventTexts(context: CliContext, texts: readonly string[]): Promise<{ failed: { index: number; error: string }[] }> {
  const bodies = groupEventTexts(texts);
  const { failed } = await sendBodies(
    context.clients.sqs,
    context.outputs.eventsQueueUrl,
    bodies.map(({ body }) => body),
  );
  return { failed: failed.flatMap(({ index, error }) => bodies[index]!.members.map((member) => ({ index: member, error }))) };
}
