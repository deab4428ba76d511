/**
 * `npm run bench`: billflow's speed and cost figures, each measured side by side with its
 * baseline in one run on fresh local services. Prints figures and ratios; targets are compared
 * and reported, not enforced. It fails only when the work measured went wrong (a webhook request
 * not answered with a new 200), since its figures would then describe less work than they claim.
 *
 * BENCH_EVENTS sets the ingest workload size (default 50,000 events); BENCH_CUSTOMERS the
 * invoice workload (default 10,000 customers with 100 events each). BENCH_ONLY runs only the named
 * sections (comma-separated: ingest, invoicing, webhooks, http, documents, cost), e.g. BENCH_ONLY=documents; by
 * default every section runs. The cost model (test/bench/cost-model.ts) takes BENCH_COST_EVENTS
 * (default 1,000,000), BENCH_COST_CUSTOMERS (default 1,000) and BENCH_COST_NAIVE_EVENTS (default
 * 100,000; the naive design is scaled to 1,000,000 events).
 *
 * The npm script runs it with render-invoice's V8 options (RENDER_V8_OPTIONS), under which the
 * document section's pdfkit renders run in production; the other sections run with them too.
 */
import { provisionBench, startBenchServices } from './bench-stack.ts';
import { consumers, RENDER_V8_OPTIONS } from '#infra/resources.ts';
import { benchIngest } from './ingest.ts';
import { benchInvoicing } from './invoicing.ts';
import { benchDocuments } from './documents.ts';
import { benchLanguages } from './languages.ts';
import { benchWebhooks } from './webhooks.ts';
import { benchHttpEvents } from './http-events.ts';
import { benchCost, costOptionsFromEnv } from './cost-model.ts';
import { costReport, formatCostReport } from './cost-report.ts';
import { cpus } from 'node:os';

const eventCount = Number(process.env.BENCH_EVENTS ?? 50_000);
const fmt = (value: number, digits = 0) => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const verdict = (ok: boolean) => (ok ? 'meets target' : 'MISSES target');

const SECTIONS = ['ingest', 'invoicing', 'webhooks', 'http', 'documents', 'cost'] as const;
const only = (process.env.BENCH_ONLY ?? '')
  .split(',')
  .map((name) => name.trim())
  .filter((name) => name !== '');
const unknown = only.filter((name) => !(SECTIONS as readonly string[]).includes(name));
if (unknown.length > 0) throw new Error(`BENCH_ONLY: unknown section ${unknown.join(', ')} (sections: ${SECTIONS.join(', ')})`);
const runs = (section: (typeof SECTIONS)[number]) => only.length === 0 || only.includes(section);

// The local services are started only for the sections that use them.
const usesServices = runs('ingest') || runs('invoicing') || runs('webhooks') || runs('http') || runs('cost');
console.log(
  `billflow benchmarks (${new Date().toISOString()}, Node ${process.version}${usesServices ? ', local services' : ''}${only.length > 0 ? `, only: ${only.join(', ')}` : ''})\n`,
);
const base = usesServices ? await startBenchServices() : undefined;
try {
  if (base !== undefined && runs('ingest')) {
    // The deployed batch size, and Lambda's default of 10 for comparison: fewer messages per
    // invocation means fewer events per customer to pack into one item.
    for (const batchSize of [consumers.ingestEvents.batchSize, 10]) {
      const ingest = await benchIngest(await provisionBench(base, `bench${batchSize}`), eventCount, batchSize);
      console.log(
        `Ingest: 100 customers, batch bodies of 100 events, queue pre-filled, ${batchSize} messages per invocation${batchSize === consumers.ingestEvents.batchSize ? ' (as deployed)' : ' (Lambda default, for comparison)'}`,
      );
      console.log(`  events                                  ${fmt(ingest.events)} (accepted back: ${fmt(ingest.accepted)})`);
      console.log(`  billflow ingest (SQS -> handler -> DynamoDB), ${ingest.pollers} pollers, ${ingest.invocations} invocations`);
      console.log(
        `    throughput                            ${fmt(ingest.ingestEventsPerSecond)} events/s (${fmt(ingest.ingestSeconds, 2)} s)`,
      );
      console.log(
        `    items written                         ${fmt(ingest.chunks)} chunks (${fmt(ingest.events / ingest.chunks, 1)} events per item)`,
      );
      console.log(
        `    write units per accepted event        ${fmt(ingest.ingestWcuPerEvent, 3)}  (target <= 0.5: ${verdict(ingest.ingestWcuPerEvent <= 0.5)})`,
      );
      console.log(`  naive: one item per event, plain BatchWriteItem, ${ingest.naiveConcurrency} requests in flight`);
      console.log(
        `    throughput                            ${fmt(ingest.naiveEventsPerSecond)} events/s (${fmt(ingest.naiveSeconds, 2)} s)`,
      );
      console.log(`    write units per event                 ${fmt(ingest.naiveWcuPerEvent, 3)}`);
      console.log(`  ratio billflow / naive throughput       ${fmt(ingest.ratio, 2)}  (target >= 1.0: ${verdict(ingest.ratio >= 1)})\n`);
    }

    // One customer sending 5,000 events/s: the write units land on that customer's period
    // partitions, spread over the write shards. DynamoDB caps a partition at 1,000 WCU/s.
    const hot = await benchIngest(
      await provisionBench(base, 'benchhot'),
      Math.min(eventCount, 20_000),
      consumers.ingestEvents.batchSize,
      1,
    );
    const hotPartitionWcu = 5_000 * hot.ingestWcuPerEvent * hot.busiestPartitionShare;
    console.log('Hot customer: 1 customer, batch bodies of 100 events, as deployed');
    console.log(
      `  write units per accepted event          ${fmt(hot.ingestWcuPerEvent, 3)} (${fmt(hot.events / hot.chunks, 1)} events per item)`,
    );
    console.log(`  busiest partition's share of events     ${fmt(hot.busiestPartitionShare * 100, 1)} %`);
    console.log(
      `  busiest partition at 5,000 events/s     ${fmt(hotPartitionWcu)} WCU/s  (limit 1,000: ${verdict(hotPartitionWcu < 1000)})`,
    );
  }

  if (base !== undefined && runs('invoicing')) {
    const customers = Number(process.env.BENCH_CUSTOMERS ?? 10_000);
    const invoicing = await benchInvoicing(await provisionBench(base, 'benchinv'), customers, 100, 16);
    console.log(
      `\nInvoice run: ${fmt(invoicing.customers)} customers x ${invoicing.eventsPerCustomer} events, ${invoicing.concurrency} jobs in flight`,
    );
    console.log(
      `  billflow close-billing-period (DynamoDB Local)  ${fmt(invoicing.invoicesPerSecond, 1)} invoices/s (${fmt(invoicing.seconds, 1)} s, ${fmt(invoicing.finalized)} finalized)`,
    );
    console.log(
      `  same rating in memory, no I/O (ceiling)        ${fmt(invoicing.inMemoryInvoicesPerSecond, 1)} invoices/s (${fmt(invoicing.inMemorySeconds, 2)} s)`,
    );
    console.log(`  ratio billflow / in-memory                     ${fmt(invoicing.ratio, 4)}`);
    console.log(`  read units per invoice                         ${fmt(invoicing.readUnitsPerInvoice, 2)}`);
    console.log(`  write units per invoice                        ${fmt(invoicing.writeUnitsPerInvoice, 2)}`);
    console.log(
      `  requests per invoice                           ${Object.entries(invoicing.requestsPerInvoice)
        .map(([name, n]) => `${name.replace('Command', '')} ${fmt(n, 2)}`)
        .join(', ')}`,
    );
  }

  if (base !== undefined && runs('http')) {
    const http = await benchHttpEvents(await provisionBench(base, 'benchhttp'));
    const ms = (value: number) => `${fmt(value, 1)} ms`;
    console.log(
      `\nEvents over HTTP: POST /v1/events, batches of ${http.eventsPerBatch}, ${http.concurrency} keep-alive connections (${http.connections} opened), ${fmt(http.batches)} batches, beside SQS SendMessage of the same bodies`,
    );
    for (const [door, figures] of [
      ['POST /v1/events (authorizer, judge, queue, 202)', http.http],
      ['SQS SendMessage (the events queue directly)', http.sqs],
    ] as const) {
      console.log(`  ${door}`);
      console.log(`    throughput                            ${fmt(figures.eventsPerSecond)} events/s (${fmt(figures.seconds, 2)} s)`);
      console.log(`    latency per batch                     p50 ${ms(figures.p50Ms)}  p99 ${ms(figures.p99Ms)}`);
    }
    console.log(`  ratio HTTP / SQS throughput             ${fmt(http.http.eventsPerSecond / http.sqs.eventsPerSecond, 2)}`);
    if (http.failures.length > 0)
      throw new Error(`http events bench: ${http.failures.length} batches not all accepted (first: ${http.failures[0]})`);
  }

  if (base !== undefined && runs('webhooks')) {
    const webhooks = await benchWebhooks(await provisionBench(base, 'benchhook'));
    const ms = (value: number) => `${fmt(value, 1)} ms`;
    const machine = cpus();
    // The local figures are a floor for API Gateway + Lambda, not a prediction: see webhooks.ts.
    console.log(`\nStripe webhooks: signed payment_intent.succeeded events, each new, POST /webhooks/stripe on the local HTTP API`);
    console.log(
      `  machine: ${machine.length} CPU cores (${machine[0]?.model.trim() ?? '?'}); load generator, HTTP API, handler and fauxqs in this process, DynamoDB Local (Java) beside it`,
    );
    console.log(
      `  billflow webhook (verify, DynamoDB put, SQS send, 200), ${webhooks.concurrency} keep-alive connections (${webhooks.connections} opened), ${fmt(webhooks.requests)} requests after ${fmt(webhooks.warmup)} warm-up`,
    );
    console.log(`    throughput                            ${fmt(webhooks.requestsPerSecond)} requests/s (${fmt(webhooks.seconds, 2)} s)`);
    console.log(
      `    latency to the 200                    p50 ${ms(webhooks.p50Ms)}  p99 ${ms(webhooks.p99Ms)}  max ${ms(webhooks.maxMs)}`,
    );
    console.log(`    responses other than a new 200        ${fmt(webhooks.failures.length)}`);
    console.log(`  signature check alone (verifyStripeSignature, same bodies and headers, one thread; ceiling)`);
    console.log(
      `    throughput                            ${fmt(webhooks.signatureChecksPerSecond)} checks/s (${fmt(webhooks.signatureChecks)} in ${fmt(webhooks.signatureSeconds, 2)} s)`,
    );
    console.log(
      `  ratio webhook / signature check         ${fmt(webhooks.ratio, 4)}  (the full webhook path runs at ${fmt(webhooks.ratio * 100, 2)} % of the rate the signature check alone allows)`,
    );
    if (webhooks.failures.length > 0) {
      for (const failure of webhooks.failures.slice(0, 10)) console.log(`    FAILED: ${failure}`);
      throw new Error(`webhooks bench: ${webhooks.failures.length} requests did not answer a new 200 (first: ${webhooks.failures[0]})`);
    }
  }

  if (runs('documents')) {
    const documents = await benchDocuments();
    const ms = (value: number) => `${fmt(value, value < 100 ? 1 : 0)} ms`;
    const renderer = (figures: { medianMs: number; p90Ms: number; bytes: number; pages: number }) =>
      `median ${ms(figures.medianMs).padStart(9)}  p90 ${ms(figures.p90Ms).padStart(9)}  ${fmt(figures.bytes).padStart(9)} bytes  ${figures.pages} page${figures.pages === 1 ? '' : 's'}`;
    console.log(
      `${base !== undefined ? '\n' : ''}Documents: ms per invoice, pdfkit (billflow) vs the same invoice as HTML printed to PDF by headless Chromium`,
    );
    console.log(
      documents.chromiumUnavailable === undefined
        ? `  Chromium ${documents.chromiumVersion ?? '?'} via playwright-core, one browser and one page kept warm; renderers alternate in each iteration`
        : `  Chromium UNAVAILABLE (${documents.chromiumUnavailable}): the Chromium comparison is skipped, pdfkit only`,
    );
    // pdfkit runs in this process: it is render-invoice's figure only with render-invoice's V8 options.
    const v8Options = process.env.NODE_OPTIONS ?? '';
    console.log(
      v8Options.includes(RENDER_V8_OPTIONS)
        ? `  pdfkit with render-invoice's V8 options (${RENDER_V8_OPTIONS})`
        : `  pdfkit WITHOUT render-invoice's V8 options (${RENDER_V8_OPTIONS} is not in NODE_OPTIONS): slower than the function runs`,
    );
    for (const figures of documents.cases) {
      console.log(`  ${figures.name} (${fmt(figures.lines)} lines), ${figures.warmup} warm-up + ${figures.iterations} timed renders each`);
      console.log(`    pdfkit, PDF/A-3b + Factur-X           ${renderer(figures.pdfkit)}`);
      console.log(
        `      of which: Factur-X XML alone        median ${ms(figures.facturXXml.medianMs).padStart(9)}  p90 ${ms(figures.facturXXml.p90Ms).padStart(9)}  ${fmt(figures.facturXXml.bytes).padStart(9)} bytes`,
      );
      console.log(`      plain PDF (no Factur-X, no PDF/A)   ${renderer(figures.plainPdf)}`);
      console.log(
        `      Factur-X + PDF/A cost (medians)     ${ms(figures.pdfkit.medianMs - figures.plainPdf.medianMs)}, ${fmt(figures.pdfkit.bytes - figures.plainPdf.bytes)} bytes`,
      );
      if (figures.chromium === undefined || figures.ratio === undefined) {
        console.log('    chromium                              not measured (Chromium unavailable)');
      } else {
        console.log(`    chromium                              ${renderer(figures.chromium)}`);
        console.log(`    ratio chromium / pdfkit (medians)     ${fmt(figures.ratio, 1)}  (target >= 10: ${verdict(figures.ratio >= 10)})`);
      }
    }
    const languages = await benchLanguages();
    console.log(
      `  one-page invoice per language, ${languages.iterations} timed renders each (ja: Japanese customer name and address, IPAex Gothic subset embedded)`,
    );
    for (const figures of languages.languages) {
      console.log(
        `    ${figures.language}                                    median ${ms(figures.medianMs).padStart(9)}  ${fmt(figures.bytes).padStart(9)} bytes`,
      );
    }
    console.log(
      `    CJK font: ${fmt(languages.cjkFontBytes)} bytes in the render function's asset; first Japanese render in a process (font load included) ${ms(languages.firstCjkRenderMs)}`,
    );
  }

  if (base !== undefined && runs('cost')) {
    // Last: it runs the deployed handler modules with the process clock moved past the month's end.
    const report = costReport(await benchCost(base, costOptionsFromEnv(process.env)));
    for (const line of formatCostReport(report)) console.log(line);
  }
} finally {
  await base?.services.stop();
}
