/**
 * What operators watch, checked across the whole template so a new function, queue or metric
 * cannot be left out: tracing and log retention on every function and log group, failed
 * asynchronous runs kept, alarms on every function, queue and dead-letter queue (each
 * documented in docs/operations.md), and the dashboard: one row per stage, every function,
 * queue and business metric the code emits on it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { consumers, httpRoutes, schedules } from '#infra/resources.ts';
import type { Stage } from '#infra/stage.ts';
import { build, type Built, type DashboardWidget, dashboardWidgets, logicalId, STAGES } from './support/synth.ts';

const REPO_ROOT = join(import.meta.dirname, '..', '..');
const RETENTION_DAYS: Record<Stage, number> = { dev: 30, prod: 365 };

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };

const built = {} as Record<Stage, Built>;

beforeAll(() => {
  for (const stage of STAGES) built[stage] = build(stage, { bundle: false });
});

function resourcesOf(template: Built['template'], type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][];
}

/** Queue logical ids that receive failed messages, by what sends them there. */
function deadLetterQueueIds(template: Built['template']): Set<string> {
  const ids = new Set<string>();
  const idOfArn = (arn: unknown) => (arn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  for (const [, queue] of resourcesOf(template, 'AWS::SQS::Queue')) {
    if (queue.Properties.RedrivePolicy !== undefined) ids.add(idOfArn(queue.Properties.RedrivePolicy.deadLetterTargetArn));
  }
  for (const [, fn] of resourcesOf(template, 'AWS::Lambda::Function')) {
    if (fn.Properties.DeadLetterConfig !== undefined) ids.add(idOfArn(fn.Properties.DeadLetterConfig.TargetArn));
  }
  for (const [, schedule] of resourcesOf(template, 'AWS::Scheduler::Schedule')) {
    ids.add(idOfArn(schedule.Properties.Target.DeadLetterConfig.Arn));
  }
  for (const [, subscription] of resourcesOf(template, 'AWS::SNS::Subscription')) {
    if (subscription.Properties.RedrivePolicy !== undefined) ids.add(idOfArn(subscription.Properties.RedrivePolicy.deadLetterTargetArn));
  }
  return ids;
}

/** Alarms on an SQS metric of the queue `id`. */
function queueAlarms(template: Built['template'], id: string, metricName: string): Resource[] {
  return resourcesOf(template, 'AWS::CloudWatch::Alarm')
    .map(([, alarm]) => alarm)
    .filter(
      (alarm) =>
        alarm.Properties.Namespace === 'AWS/SQS' &&
        alarm.Properties.MetricName === metricName &&
        JSON.stringify(alarm.Properties.Dimensions) === JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id, 'QueueName'] } }]),
    );
}

describe('tracing and logs', () => {
  it.each(STAGES)('%s: every function traces with X-Ray, has memory and timeout set, and logs to a log group with retention', (stage) => {
    const { template } = built[stage];
    const logGroups = Object.fromEntries(resourcesOf(template, 'AWS::Logs::LogGroup'));
    for (const [id, fn] of resourcesOf(template, 'AWS::Lambda::Function')) {
      expect([id, fn.Properties.TracingConfig]).toEqual([id, { Mode: 'Active' }]);
      expect(fn.Properties.MemorySize).toBeGreaterThanOrEqual(256);
      expect(fn.Properties.Timeout).toBeGreaterThan(3);
      const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref as string;
      expect(logGroups[logGroupId]?.Properties.RetentionInDays).toBe(RETENTION_DAYS[stage]);
    }
  });

  it.each(STAGES)('%s: every log group (functions and API access logs) has a retention', (stage) => {
    const groups = resourcesOf(built[stage].template, 'AWS::Logs::LogGroup');
    // Thirteen functions and the HTTP API's access logs.
    expect(groups).toHaveLength(14);
    for (const [id, group] of groups) expect([id, group.Properties.RetentionInDays]).toEqual([id, RETENTION_DAYS[stage]]);
  });

  it('writes API access logs as JSON (an HTTP API has no X-Ray tracing: traces start at the function)', () => {
    const { stack, template } = built.dev;
    const [[, stage]] = resourcesOf(template, 'AWS::ApiGatewayV2::Stage') as [[string, Resource]];
    expect(stage.Properties.AccessLogSettings.DestinationArn).toEqual({
      'Fn::GetAtt': [logicalId(stack.payments.webhookApi.accessLogGroup), 'Arn'],
    });
    expect(JSON.parse(stage.Properties.AccessLogSettings.Format)).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
    });
    expect(resourcesOf(template, 'AWS::ApiGateway::Stage')).toEqual([]);
    expect(template.toJSON().Resources[logicalId(stack.payments.stripeWebhookFunction)].Properties.TracingConfig).toEqual({
      Mode: 'Active',
    });
  });

  it("keeps scheduled runs that failed every Lambda attempt, in the schedule's dead-letter queue", () => {
    const { template } = built.dev;
    const schedulesInTemplate = resourcesOf(template, 'AWS::Scheduler::Schedule');
    expect(schedulesInTemplate).toHaveLength(Object.keys(schedules).length);
    for (const [, schedule] of schedulesInTemplate) {
      const [functionId] = schedule.Properties.Target.Arn['Fn::GetAtt'] as [string];
      const fn = template.toJSON().Resources[functionId] as Resource;
      expect(fn.Properties.DeadLetterConfig).toEqual({ TargetArn: schedule.Properties.Target.DeadLetterConfig.Arn });
    }
  });
});

describe('alarms', () => {
  it.each(STAGES)(
    '%s: each has a unique name the alarm topic accepts, a description of what it means and what to do, and notifies on alarm and OK',
    (stage) => {
      const { stack, template } = built[stage];
      const topic = { Ref: logicalId(stack.alarms.topic) };
      const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
      expect(alarms.length).toBeGreaterThan(40);
      expect(new Set(alarms.map((alarm) => alarm.AlarmName)).size).toBe(alarms.length);
      for (const alarm of alarms) {
        expect(alarm.AlarmName).toMatch(new RegExp(`^billflow-${stage}-`));
        expect(alarm.AlarmDescription).toMatch(/^.{80,}$/s);
        expect(alarm.AlarmActions).toEqual([topic]);
        expect(alarm.OKActions).toEqual([topic]);
        expect(alarm.TreatMissingData).toBe('notBreaching');
      }
    },
  );

  it('alarms on any error and any throttle of every function within 5 minutes', () => {
    const { template } = built.dev;
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
    const functions = resourcesOf(template, 'AWS::Lambda::Function');
    expect(functions).toHaveLength(13);
    for (const [id] of functions) {
      for (const metricName of ['Errors', 'Throttles']) {
        const matching = alarms.filter(
          (alarm) => alarm.Namespace === 'AWS/Lambda' && alarm.MetricName === metricName && alarm.Dimensions[0].Value.Ref === id,
        );
        expect(
          matching.map((alarm) => [alarm.Statistic, alarm.Period, alarm.EvaluationPeriods, alarm.Threshold, alarm.ComparisonOperator]),
          `${id} ${metricName}`,
        ).toEqual([['Sum', 300, 1, 0, 'GreaterThanThreshold']]);
      }
    }
  });

  it('alarms on the age of the oldest message of every queue, and on every dead-letter queue: not empty, and messages about to expire', () => {
    const { template } = built.dev;
    const deadLetterQueues = deadLetterQueueIds(template);
    // Seven pipeline queues' DLQs, two schedules', the alarm email's and the mail events subscription's.
    expect(deadLetterQueues.size).toBe(11);
    for (const [id, queue] of resourcesOf(template, 'AWS::SQS::Queue')) {
      if (deadLetterQueues.has(id)) {
        expect(
          queueAlarms(template, id, 'ApproximateNumberOfMessagesVisible').map((a) => [a.Properties.Threshold, a.Properties.Period]),
          id,
        ).toEqual([[0, 60]]);
        // Half the retention: a message's expiry counts from when it was first sent.
        expect(
          queueAlarms(template, id, 'ApproximateAgeOfOldestMessage').map((a) => a.Properties.Threshold),
          id,
        ).toEqual([queue.Properties.MessageRetentionPeriod / 2]);
      } else {
        // A pipeline queue: its consumer is failing or falling behind.
        const [age] = queueAlarms(template, id, 'ApproximateAgeOfOldestMessage');
        expect(age?.Properties.Threshold, id).toBeLessThanOrEqual(3600);
        expect(queue.Properties.RedrivePolicy, id).toBeDefined();
      }
    }
  });

  it('are each explained in docs/operations.md, by name', () => {
    const operations = readFileSync(join(REPO_ROOT, 'docs/operations.md'), 'utf8');
    const names = resourcesOf(built.dev.template, 'AWS::CloudWatch::Alarm').map(([, alarm]) =>
      String(alarm.Properties.AlarmName).replace(/^billflow-dev-/, ''),
    );
    expect(names.filter((name) => !operations.includes(`\`${name}\``))).toEqual([]);
  });
});

describe('dashboard', () => {
  const STAGE_ROWS = ['Ingest', 'Invoice run', 'Render', 'Send', 'Payments', 'Dunning', 'HTTP API', 'Outbound events'];
  /** The functions whose errors and throttles each row shows. */
  const ROW_FUNCTIONS: Record<string, readonly string[]> = {
    Ingest: [consumers.ingestEvents.functionId],
    'Invoice run': [schedules.startInvoiceRun.functionId, consumers.closeBillingPeriod.functionId],
    Render: [consumers.renderInvoice.functionId],
    Send: [consumers.sendInvoice.functionId, consumers.recordMailEvent.functionId],
    Payments: [httpRoutes.receiveStripeWebhook.functionId, consumers.applyPaymentEvent.functionId],
    Dunning: [schedules.runDunning.functionId],
    'HTTP API': [httpRoutes.serveApi.functionId, httpRoutes.serveApi.authorizer.functionId, httpRoutes.showInvoicePage.functionId],
    'Outbound events': [consumers.deliverWebhooks.functionId],
  };

  let widgets: DashboardWidget[];
  beforeAll(() => {
    widgets = dashboardWidgets(built.dev.template);
  });

  /** The widgets between a row's heading and the next heading. */
  function row(title: string): DashboardWidget[] {
    const start = widgets.findIndex((w) => w.type === 'text' && String(w.properties.markdown).startsWith(`## ${title}\n`));
    expect(start, title).toBeGreaterThan(0);
    const next = widgets.findIndex((w, index) => index > start && w.type === 'text');
    return widgets.slice(start + 1, next === -1 ? undefined : next);
  }

  const metricsOf = (widget: DashboardWidget): unknown[][] => (widget.properties.metrics ?? []) as unknown[][];

  it('is one dashboard named like the stack, linked from the outputs', () => {
    const { template } = built.dev;
    const dashboards = resourcesOf(template, 'AWS::CloudWatch::Dashboard');
    expect(dashboards.map(([, d]) => d.Properties.DashboardName)).toEqual(['billflow-dev']);
    expect(JSON.stringify(template.toJSON().Outputs.dashboardUrl.Value)).toContain('#dashboards/dashboard/billflow-dev');
  });

  it('has one row per stage, in pipeline order, after the alarm overview', () => {
    const headings = widgets.filter((w) => w.type === 'text').map((w) => String(w.properties.markdown).split('\n')[0]);
    expect(headings).toEqual(['# billflow (dev)', ...STAGE_ROWS.map((title) => `## ${title}`)]);
    const [overview] = widgets.filter((w) => w.type === 'alarm');
    const alarmIds = resourcesOf(built.dev.template, 'AWS::CloudWatch::Alarm').map(([id]) => `<${id}.Arn>`);
    expect([...overview!.properties.alarms].sort()).toEqual(alarmIds.sort());
  });

  it.each(STAGE_ROWS)(
    '%s: throughput, errors & throttles of its functions, dead-letter queues, queue age, then business figures',
    (title) => {
      const widgetsOfRow = row(title);
      expect(widgetsOfRow.slice(0, 4).map((w) => w.properties.title)).toEqual([
        `${title}: throughput`,
        `${title}: errors & throttles`,
        `${title}: dead-letter queues`,
        // Stages without a queue show something else fourth.
        ({ Dunning: 'Dunning: run duration', 'HTTP API': 'HTTP API: latency' } as Record<string, string>)[title] ??
          `${title}: age of oldest message`,
      ]);
      const failures = metricsOf(widgetsOfRow[1]!).filter((m) => m[0] === 'AWS/Lambda');
      expect(failures.map((m) => (m.at(-1) as { label: string }).label)).toEqual(
        ROW_FUNCTIONS[title]!.flatMap((fn) => [`${fn} errors`, `${fn} throttles`]),
      );
      expect(metricsOf(widgetsOfRow[2]!).every((m) => m[1] === 'ApproximateNumberOfMessagesVisible')).toBe(true);
      expect(widgetsOfRow.length).toBeGreaterThan(4);
    },
  );

  it('shows every function, every dead-letter queue and every queue of the stack', () => {
    const { template } = built.dev;
    const deadLetterQueues = deadLetterQueueIds(template);
    const metrics = widgets.flatMap(metricsOf);
    const shown = (namespace: string, metricName: string, ref: string) =>
      metrics.some((m) => m[0] === namespace && m[1] === metricName && m[3] === ref);
    for (const [id] of resourcesOf(template, 'AWS::Lambda::Function')) {
      expect(shown('AWS/Lambda', 'Errors', `<Ref:${id}>`) && shown('AWS/Lambda', 'Throttles', `<Ref:${id}>`), id).toBe(true);
    }
    for (const [id] of resourcesOf(template, 'AWS::SQS::Queue')) {
      const metric = deadLetterQueues.has(id) ? 'ApproximateNumberOfMessagesVisible' : 'ApproximateAgeOfOldestMessage';
      expect(shown('AWS/SQS', metric, `<${id}.QueueName>`), `${id} ${metric}`).toBe(true);
    }
  });

  it('shows every business metric the code emits (functions, shared code and the CLI)', () => {
    const sources = ['functions', 'shared', 'cli'].flatMap((dir) => sourceFiles(join(REPO_ROOT, dir)));
    const emitted = new Set<string>();
    for (const file of sources) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!/\.addMetric\(|metrics\.count\(/.test(line)) continue;
        for (const [, name] of line.matchAll(/'([A-Z][A-Za-z]+)'/g)) emitted.add(name!);
      }
    }
    // 30 when this was written (README "Metrics"); fewer means the scan stopped finding them.
    expect(emitted.size).toBeGreaterThanOrEqual(30);
    const onDashboard = new Set(
      widgets.flatMap(metricsOf).flatMap((m) => [
        ...(m[0] === 'Billflow' ? [String(m[1])] : []),
        ...m.flatMap((part) => {
          const expression = (part as { expression?: string } | null)?.expression;
          return expression === undefined ? [] : [...expression.matchAll(/MetricName="(\w+)"/g)].map((match) => match[1]!);
        }),
      ]),
    );
    expect([...emitted].filter((name) => !onDashboard.has(name))).toEqual([]);
  });

  it('shows money by currency with SEARCH expressions over the dimensions the functions emit', () => {
    const closeHandler = readFileSync(join(REPO_ROOT, 'functions/close-billing-period/close-handler.ts'), 'utf8');
    const applyHandler = readFileSync(join(REPO_ROOT, 'functions/apply-payment-event/handler.ts'), 'utf8');
    expect(closeHandler).toContain("addDimension('currency'");
    expect(applyHandler).toContain("addDimension('Currency'");
    const expressions = widgets
      .flatMap(metricsOf)
      .flatMap((m) => m.filter((part) => typeof part === 'object' && part !== null && 'expression' in part));
    const search = (metric: string, dimension: string, period: number) =>
      `SEARCH('{Billflow,${dimension},service} MetricName="${metric}" service="billflow"', 'Sum', ${period})`;
    expect(expressions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ expression: search('AmountInvoiced', 'currency', 3600), label: "${PROP('Dim.currency')}" }),
        expect.objectContaining({ expression: search('AmountCollected', 'Currency', 3600), label: "${PROP('Dim.Currency')}" }),
        expect.objectContaining({ expression: search('AmountReversed', 'Currency', 3600), label: "${PROP('Dim.Currency')}" }),
        expect.objectContaining({ expression: search('InvoicesVoided', 'currency', 300) }),
      ]),
    );
  });

  it('lays widgets out on the 24-column grid without overlaps', () => {
    const cells = new Set<string>();
    for (const widget of widgets) {
      expect(widget.x + widget.width).toBeLessThanOrEqual(24);
      for (let x = widget.x; x < widget.x + widget.width; x += 1) {
        for (let y = widget.y; y < widget.y + widget.height; y += 1) {
          const cell = `${x},${y}`;
          expect(cells.has(cell), cell).toBe(false);
          cells.add(cell);
        }
      }
    }
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs)$/.test(entry.name) ? [path] : [];
  });
}
