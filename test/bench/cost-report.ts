/**
 * The cost model's report (test/bench/cost-model.ts): a run's tallies scaled to the quoted
 * volumes, priced at the list prices of aws-prices.ts, and printed with the counts they come
 * from. Only arithmetic on the counts, so it is kept apart from the run, which needs the
 * services, and from the counting (cost-meter.ts).
 */
import { consumers, pipelineSettings, schedules } from '#infra/resources.ts';
import { costOf, prices, PRICES_REGION, PRICES_TAKEN, type Price } from './aws-prices.ts';
import { combine, DYNAMODB_READS, PLATFORM_LOG_BYTES_PER_INVOCATION, XRAY_FIXED_RATE, type Tally } from './cost-meter.ts';
import {
  CLOSED_RUNS_IN_FIRST_DAY,
  EVENTS_PER_BODY,
  EVENTS_QUOTED,
  IDLE_RUNS,
  INVOICES_QUOTED,
  RETENTION_MONTHS,
  TARGET_PER_MILLION_EVENTS,
  TARGET_PER_THOUSAND_INVOICES,
  type CostRun,
  type Measured,
} from './cost-model.ts';

export interface CostLine {
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  readonly price: Price;
  readonly cost: number;
}

export interface CostScenario {
  readonly title: string;
  readonly basis: string;
  readonly lines: readonly CostLine[];
  readonly total: number;
  /** Where the counts came from: requests per DynamoDB operation, empty receives, ... */
  readonly notes: readonly string[];
}

const SQS_LABELS: Record<string, string> = {
  SendMessage: 'SQS SendMessage',
  SendMessageBatch: 'SQS SendMessageBatch',
  ReceiveMessage: 'SQS ReceiveMessage (event source mapping)',
  DeleteMessageBatch: 'SQS DeleteMessageBatch (event source mapping)',
};

function line(item: string, quantity: number, unit: string, price: Price): CostLine {
  return { item, quantity, unit, price, cost: costOf(price, quantity) };
}

/** Cost lines for a tally already scaled to the quoted workload. */
function priceTally(tally: Tally): { lines: CostLine[]; notes: string[] } {
  const lines: CostLine[] = [];
  const notes: string[] = [];
  if (tally.modelled.upstreamSends > 0)
    lines.push(line('SQS SendMessage, upstream (1 per body of 100)', tally.modelled.upstreamSends, 'requests', prices.sqsRequests));
  for (const [operation, billed] of Object.entries(tally.sqs.billed).sort()) {
    lines.push(line(SQS_LABELS[operation] ?? `SQS ${operation}`, billed, 'requests', prices.sqsRequests));
  }
  if (tally.modelled.schedulerInvocations > 0)
    lines.push(line('EventBridge Scheduler invocations', tally.modelled.schedulerInvocations, 'invocations', prices.schedulerInvocations));
  if (tally.modelled.apiRequests > 0)
    lines.push(line('API Gateway HTTP API requests', tally.modelled.apiRequests, 'requests', prices.apiGatewayHttpRequests));
  if (tally.modelled.secretsApiCalls > 0)
    lines.push(line('Secrets Manager GetSecretValue', tally.modelled.secretsApiCalls, 'API calls', prices.secretsManagerApiCalls));
  let invocations = 0;
  let traces = 0;
  let logBytes = tally.modelled.accessLogBytes;
  for (const [name, fn] of Object.entries(tally.lambda)) {
    invocations += fn.invocations;
    traces += fn.traces;
    logBytes += fn.logBytes;
    lines.push(line(`Lambda requests, ${name}`, fn.invocations, 'invocations', prices.lambdaRequests));
    const gbSeconds = (fn.billedMs / 1000) * (fn.memoryMb / 1024);
    lines.push(
      line(
        `Lambda duration, ${name} (${fn.memoryMb} MB, ${fmt(fn.billedMs / Math.max(1, fn.invocations))} ms avg)`,
        gbSeconds,
        'GB-s',
        prices.lambdaGbSecond,
      ),
    );
  }
  if (tally.dynamodb.write > 0) lines.push(line('DynamoDB write request units', tally.dynamodb.write, 'WRU', prices.dynamodbWriteUnits));
  if (tally.dynamodb.read > 0) lines.push(line('DynamoDB read request units', tally.dynamodb.read, 'RRU', prices.dynamodbReadUnits));
  if (tally.s3.putTier > 0) lines.push(line('S3 PUT requests', tally.s3.putTier, 'requests', prices.s3PutRequests));
  if (tally.s3.getTier > 0) lines.push(line('S3 GET/HEAD requests', tally.s3.getTier, 'requests', prices.s3GetRequests));
  if (tally.ses.emails > 0) {
    lines.push(line('SES emails', tally.ses.emails, 'emails', prices.sesEmails));
    lines.push(line('SES attachment data (whole raw message)', tally.ses.bytes / 1e9, 'GB', prices.sesAttachments));
  }
  lines.push(line('CloudWatch Logs ingested', logBytes / 1e9, 'GB', prices.cloudwatchLogsIngestion));
  if (invocations > 0) {
    lines.push(
      line(`X-Ray traces (Lambda sampling: 1st per second + 5 %, of ${fmt(invocations)} invocations)`, traces, 'traces', prices.xrayTraces),
    );
  }
  const requests = Object.entries(tally.dynamodb.requests).sort(([, a], [, b]) => b - a);
  const unitsOf = (operation: string) => `${fmt(tally.dynamodb.units[operation] ?? 0)} ${DYNAMODB_READS.has(operation) ? 'RRU' : 'WRU'}`;
  if (requests.length > 0)
    notes.push(
      `DynamoDB requests: ${requests.map(([operation, count]) => `${operation} ${fmt(count)} (${unitsOf(operation)})`).join(', ')}`,
    );
  const failed = Object.entries(tally.failed).sort(([, a], [, b]) => b - a);
  if (failed.length > 0)
    notes.push(`of which answered with an error (and counted): ${failed.map(([what, count]) => `${what} ${fmt(count)}`).join(', ')}`);
  return { lines, notes };
}

function scenario(title: string, basis: string, tally: Tally, extraNotes: readonly string[] = []): CostScenario {
  const { lines, notes } = priceTally(tally);
  return { title, basis, lines, total: lines.reduce((sum, entry) => sum + entry.cost, 0), notes: [...notes, ...extraNotes] };
}

export interface CostReport {
  readonly ingest: CostScenario;
  readonly naive: CostScenario;
  readonly invoices: CostScenario;
  readonly payments: CostScenario;
  readonly storage: readonly CostLine[];
  readonly fixed: readonly CostLine[];
  /** The hourly invoice runs with nothing to do: fixed, like `fixed`, but counted from a run. */
  readonly idleRuns: CostScenario;
  readonly run: CostRun;
}

export function costReport(run: CostRun): CostReport {
  const { options } = run;
  const eventScale = EVENTS_QUOTED / options.events;
  const naiveScale = EVENTS_QUOTED / options.naiveEvents;
  const invoiceScale = INVOICES_QUOTED / options.customers;
  const scaled = (measured: Measured, factor: number) => combine([[measured.tally, factor]]);
  const { draft, finalize, closed, idle } = run.rounds;
  // A month of hourly runs. What the drafting and finalizing runs do grows with the customers;
  // the runs with no jobs read the same few items whatever the number of customers.
  const monthOfRuns = (measured: Measured, runs: number, perCustomer = true): Tally => {
    const tally = combine([[measured.tally, runs * (perCustomer ? invoiceScale : 1)]]);
    tally.modelled.schedulerInvocations = runs;
    const runFunction = tally.lambda[schedules.startInvoiceRun.functionId];
    if (runFunction !== undefined) {
      runFunction.logBytes -= (runFunction.invocations - runs) * PLATFORM_LOG_BYTES_PER_INVOCATION;
      runFunction.invocations = runs;
      // An hourly run is alone in its second: each is traced.
      runFunction.traces = runs;
    }
    return tally;
  };
  const byRound = {
    draft: monthOfRuns(draft, 1),
    finalize: monthOfRuns(finalize, 1),
    closed: monthOfRuns(closed, CLOSED_RUNS_IN_FIRST_DAY, false),
    idle: monthOfRuns(idle, IDLE_RUNS, false),
  };
  // What grows with the invoices: the drafting and the finalizing run. The runs with nothing to
  // close cost the same at 10 invoices or 100,000: a fixed monthly cost, printed with the others.
  const month = combine([
    [byRound.draft, 1],
    [byRound.finalize, 1],
  ]);
  const noJobRuns = combine([
    [byRound.closed, 1],
    [byRound.idle, 1],
  ]);
  const measuredOn = (count: number, quoted: number, what: string) =>
    count === quoted
      ? `measured on ${fmt(count)} ${what}`
      : `measured on ${fmt(count)} ${what}, scaled x${fmt(quoted / count, 2)} (linear per ${what.replace(/s$/, '')})`;
  const per1k = (seconds: number) => `${fmt(seconds, 1)} s`;

  const eventsPerInvocation = options.events / Math.max(1, run.ingest.tally.lambda[consumers.ingestEvents.functionId]?.invocations ?? 1);
  const ingest = scenario(
    `billflow ingest, per ${fmt(EVENTS_QUOTED)} events`,
    `${measuredOn(options.events, EVENTS_QUOTED, 'events')}; ${fmt(options.customers)} customers, one month, bodies of ${EVENTS_PER_BODY}, ${consumers.ingestEvents.batchSize} messages per invocation (as deployed), ${per1k(run.ingest.seconds)}`,
    scaled(run.ingest, eventScale),
    [
      `${fmt(run.ingest.tally.dynamodb.write / options.events, 3)} write units per event: ${fmt(run.ingest.eventsTableItems)} chunks of ${fmt(options.events / Math.max(1, run.ingest.eventsTableItems), 1)} events ` +
        `(an invocation of ~${fmt(eventsPerInvocation)} events holds ~${fmt(eventsPerInvocation / options.customers, 1)} per customer, over ${pipelineSettings.EVENT_WRITE_SHARDS} shards)`,
    ],
  );
  const naive = scenario(
    `naive ingest (one item per event, plain BatchWriteItem, Lambda's default 10 messages per invocation), per ${fmt(EVENTS_QUOTED)} events`,
    `${measuredOn(options.naiveEvents, EVENTS_QUOTED, 'events')}; same customers, bodies and memory (${consumers.ingestEvents.memorySize} MB), ${per1k(run.naive.seconds)}`,
    scaled(run.naive, naiveScale),
  );
  const invoices = scenario(
    `billflow invoicing and delivery, a month, per ${fmt(INVOICES_QUOTED)} invoices`,
    `${measuredOn(options.customers, INVOICES_QUOTED, 'invoices')} (${fmt(options.events / options.customers)} events each); the two hourly runs with jobs: drafting (${per1k(draft.seconds)}), finalizing + PDF + email (${per1k(finalize.seconds)})`,
    month,
    [
      `by round: drafting ${fmtCost(roundCost(byRound.draft))}, finalizing + PDF + email ${fmtCost(roundCost(byRound.finalize))}`,
      xrayFloor(month, [byRound.draft, byRound.finalize]),
    ],
  );
  const idleRuns = scenario(
    `the other ${CLOSED_RUNS_IN_FIRST_DAY + IDLE_RUNS} hourly invoice runs of a month, with no jobs (the same at any volume)`,
    `${CLOSED_RUNS_IN_FIRST_DAY} in the first day after the month (1 measured, ${per1k(closed.seconds)}: catalog version, run log, open drafts, ${fmt(closed.tally.dynamodb.read, 1)} read units), ` +
      `${IDLE_RUNS} later (1 measured, ${per1k(idle.seconds)}: open drafts, ${fmt(idle.tally.dynamodb.read, 1)} read units), however many invoices are kept`,
    noJobRuns,
  );
  const payments = scenario(
    `payments: one Stripe webhook per invoice (assumed), per ${fmt(INVOICES_QUOTED)} invoices`,
    `${measuredOn(options.customers, INVOICES_QUOTED, 'invoices')}; payment_intent.succeeded through receive-stripe-webhook and apply-payment-event; Secrets Manager read once per webhook (5-minute cache, payments ~43 min apart)`,
    scaled(run.payments, invoiceScale),
  );

  // Storage: DynamoDB bills item size + 100 bytes per item; events are kept 400 days after their month.
  const eventsGb = ((run.ingest.eventsTableBytes + 100 * run.ingest.eventsTableItems) * eventScale) / 1e9;
  const pdfGb = (run.checks.pdfBytes * invoiceScale) / 1e9;
  const storage = [
    line(
      `DynamoDB storage of ${fmt(EVENTS_QUOTED)} events (${fmt(run.ingest.eventsTableItems * eventScale)} chunks), per month kept`,
      eventsGb,
      'GB-month',
      prices.dynamodbStorage,
    ),
    line(`  the same over the ~${RETENTION_MONTHS} months they are kept`, eventsGb * RETENTION_MONTHS, 'GB-month', prices.dynamodbStorage),
    line(`S3 storage of ${fmt(INVOICES_QUOTED)} invoice PDFs, per month kept`, pdfGb, 'GB-month', prices.s3Storage),
  ];
  const fixed = [
    line('Secrets Manager secret (Stripe webhook secret)', 1, 'secret-months', prices.secretsManagerSecrets),
    // Estimate: Lambda keeps ~5 pollers long-polling (20 s) an idle queue; AWS does not document the count.
    line(
      `SQS idle polls, ${Object.keys(consumers).length} queue consumers (estimate: 5 x 20 s polls)`,
      Object.keys(consumers).length * 5 * 3 * 60 * 24 * 30,
      'requests',
      prices.sqsRequests,
    ),
  ];
  return { ingest, naive, invoices, idleRuns, payments, storage, fixed, run };
}

/**
 * X-Ray's share is counted on this machine's timing, slower than Lambda's: the most it can be.
 * The least: every function's invocations of a round within one second (1 trace, then 5 %).
 */
function xrayFloor(total: Tally, rounds: readonly Tally[]): string {
  const counted = Object.values(total.lambda).reduce((sum, fn) => sum + fn.traces, 0);
  const fewest = rounds.reduce(
    (sum, round) =>
      sum +
      Object.entries(round.lambda).reduce((inRound, [name, fn]) => {
        // Hourly runs are an hour apart: each is traced.
        if (name === schedules.startInvoiceRun.functionId) return inRound + fn.invocations;
        return inRound + (fn.invocations === 0 ? 0 : 1 + XRAY_FIXED_RATE * (fn.invocations - 1));
      }, 0),
    0,
  );
  const saved = costOf(prices.xrayTraces, counted - fewest);
  return (
    `X-Ray, the range: ${fmt(counted)} traces counted here; ${fmt(fewest)} if Lambda ran each function's invocations of a round within one second ` +
    `(total ${fmtCost(scenario('', '', total).total - saved)})`
  );
}

function roundCost(tally: Tally): number {
  return scenario('', '', tally).total;
}

function fmt(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function fmtCost(usd: number): string {
  return `$${usd.toFixed(4)}`;
}

function fmtQuantity(value: number): string {
  if (value === 0) return '0';
  if (Math.abs(value) >= 100) return fmt(value);
  if (Math.abs(value) >= 1) return fmt(value, 2);
  return value.toPrecision(3);
}

function fmtPrice(price: Price): string {
  const usd =
    price.usd < 0.001
      ? price.usd.toString()
      : price.usd
          .toFixed(price.usd < 1 ? 4 : 2)
          .replace(/0+$/, '')
          .replace(/\.$/, '');
  return `$${usd} / ${price.per === 1 ? '' : `${fmt(price.per)} `}${price.unit}`;
}

function formatLines(lines: readonly CostLine[]): string[] {
  return lines.map(
    (entry) =>
      `    ${entry.item.padEnd(66)} ${fmtQuantity(entry.quantity).padStart(13)} ${entry.unit.padEnd(11)} x ${fmtPrice(entry.price).padEnd(42)} ${fmtCost(entry.cost).padStart(9)}`,
  );
}

function formatScenario(entry: CostScenario, total: string): string[] {
  return [
    `  ${entry.title}`,
    `    (${entry.basis})`,
    ...formatLines(entry.lines),
    ...entry.notes.map((note) => `      ${note}`),
    `    ${total.padEnd(66)} ${''.padStart(13)} ${''.padEnd(11)}   ${''.padEnd(42)} ${fmtCost(entry.total).padStart(9)}`,
  ];
}

export function formatCostReport(report: CostReport): string[] {
  const { ingest, naive, invoices, payments, run } = report;
  const verdict = (value: number, target: number) =>
    value <= target ? `target <= ${fmtCost(target)}: met` : `target <= ${fmtCost(target)}: MISSED`;
  return [
    `\nCost model: monthly cost at AWS list prices, ${PRICES_REGION}, prices as of ${PRICES_TAKEN} (test/bench/aws-prices.ts; free tiers ignored)`,
    `  workload: ${fmt(run.options.events)} events from ${fmt(run.options.customers)} customers in ${run.period}, upstream bodies of ${EVENTS_PER_BODY} events; the month's invoice cycle (1 invoice each); 1 payment webhook per invoice`,
    `  counted from the deployed handler modules on the local services: SDK requests, DynamoDB units (TransactWriteItems recomputed as AWS bills them), SQS per 64 KB chunk, Lambda time x configured memory (warm, this machine), log bytes`,
    '',
    ...formatScenario(ingest, `total per ${fmt(EVENTS_QUOTED)} events  (${verdict(ingest.total, TARGET_PER_MILLION_EVENTS)})`),
    '',
    ...formatScenario(naive, `total per ${fmt(EVENTS_QUOTED)} events, naive`),
    `    ratio billflow / naive ingest cost: ${fmt(ingest.total / naive.total, 2)}`,
    '',
    ...formatScenario(invoices, `total per ${fmt(INVOICES_QUOTED)} invoices  (${verdict(invoices.total, TARGET_PER_THOUSAND_INVOICES)})`),
    '',
    ...formatScenario(payments, `total per ${fmt(INVOICES_QUOTED)} invoices, payments`),
    `    invoicing, delivery and payments together: ${fmtCost(invoices.total + payments.total)} per ${fmt(INVOICES_QUOTED)} invoices  (${verdict(invoices.total + payments.total, TARGET_PER_THOUSAND_INVOICES)})`,
    `    with the month's ${CLOSED_RUNS_IN_FIRST_DAY + IDLE_RUNS} hourly runs that have no jobs (fixed, below) charged to these ${fmt(INVOICES_QUOTED)} invoices: ` +
      `invoicing and delivery ${fmtCost(invoices.total + report.idleRuns.total)}  (${verdict(invoices.total + report.idleRuns.total, TARGET_PER_THOUSAND_INVOICES)}), with payments ${fmtCost(invoices.total + payments.total + report.idleRuns.total)}`,
    '',
    `  storage, not in the totals above (events are kept until ${pipelineSettings.EVENT_RETENTION_DAYS} days after their month)`,
    ...formatLines(report.storage),
    '  fixed monthly costs, independent of volume, not in the totals above',
    ...formatLines(report.fixed),
    '',
    ...formatScenario(report.idleRuns, 'total a month, fixed'),

    '    not modelled: CloudWatch alarms, custom metric series (EMF), KMS keys, S3 access logs, data transfer, dunning reminders,',
    '    SES bounce/complaint events, Lambda INIT (cold start) time, free tiers',
    `  checks: ${fmt(run.checks.finalized)} invoices finalized, ${fmt(run.checks.emailed)} emailed, ${fmt(run.checks.paid)} paid; they bill ${fmt(run.checks.billedEvents)} events (sent: ${fmt(run.options.events)})`,
  ];
}
