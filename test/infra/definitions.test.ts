/**
 * The one definition of the outputs (shared/outputs.ts) and of the alarms (infra/alarms.ts):
 * the stack outputs, the local outputs.json and the CLI's schema all come from the outputs
 * definition, and every function, queue and schedule of infra/resources.ts has its alarm row.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { businessAlarms, functionAlarms, queueAlarms, scheduleAlarms } from '#infra/alarms.ts';
import { localOutputs } from '#infra/local/function-environment.ts';
import type { ProvisionedResources } from '#infra/local/provision.ts';
import { buckets, consumers, httpRoutes, pipelineSettings, queues, schedules, tables, type HttpRouteDefinition } from '#infra/resources.ts';
import { outputDefinitions, outputsFrom, outputsSchema } from '#shared/outputs.ts';
import { build, type Built } from './support/synth.ts';

let built: Built;

beforeAll(() => {
  built = build('dev', { bundle: false });
});

/** What provisionLocalResources returns for prefix `p`: every table, queue and bucket by its variable. */
function provisioned(): ProvisionedResources {
  const env: Record<string, string> = {};
  for (const table of Object.values(tables)) env[table.envVar] = `p-${table.id}`;
  for (const queue of Object.values(queues)) {
    env[queue.envVar] = `http://sqs/p-${queue.id}`;
    env[queue.deadLetter.envVar] = `http://sqs/p-${queue.deadLetter.id}`;
  }
  for (const bucket of Object.values(buckets)) env[bucket.envVar] = `p-${bucket.id}`;
  return {
    env,
    eventsQueueUrl: env[queues.events.envVar]!,
    eventsDlqUrl: env[queues.events.deadLetter.envVar]!,
    invoicesBucket: 'p-invoices',
  };
}

const endpoints = { dynamodb: 'http://dynamodb', sqs: 'http://sqs', s3: 'http://s3', ses: 'http://ses' };

describe('outputs', () => {
  it('are stack outputs, each with its description, except the local-only ones', () => {
    const outputs = built.template.toJSON().Outputs as Record<string, { Description: string }>;
    const expected = Object.keys(outputDefinitions).filter((name) => !outputsFrom('local').includes(name as never));
    expect(Object.keys(outputs).sort()).toEqual(expected.sort());
    for (const [name, output] of Object.entries(outputs)) {
      expect(output.Description).toBe(outputDefinitions[name as keyof typeof outputDefinitions].description);
    }
    expect(outputsFrom('local').sort()).toEqual(['endpoints', 'mailViewerUrl', 'stripeWebhookSecret']);
  });

  it('are written locally from the same resources, in the order the CLI prints them, without the stack-only ones', () => {
    const resources = provisioned();
    const outputs = localOutputs(resources, endpoints, 'eu-central-1', 'http://mail/', {
      url: 'http://api',
      stripeWebhookSecret: 'whsec_local',
    });
    // Every output the CLI reads but eventBusName: locally there is no bus (events go to the webhook deliveries queue).
    expect(Object.keys(outputs)).toEqual(Object.keys(outputsSchema.shape).filter((name) => name !== 'eventBusName'));
    expect(outputs).toEqual({
      region: 'eu-central-1',
      eventsQueueUrl: 'http://sqs/p-events',
      eventsDlqUrl: 'http://sqs/p-events-dlq',
      invoiceJobsQueueUrl: 'http://sqs/p-invoice-jobs',
      invoiceJobsDlqUrl: 'http://sqs/p-invoice-jobs-dlq',
      invoiceDocumentsQueueUrl: 'http://sqs/p-invoice-documents',
      invoiceEmailsQueueUrl: 'http://sqs/p-invoice-emails',
      paymentEventsQueueUrl: 'http://sqs/p-payment-events',
      invoicesBucket: 'p-invoices',
      webhookDeliveriesQueueUrl: 'http://sqs/p-webhook-deliveries',
      webhookDeliveriesDlqUrl: 'http://sqs/p-webhook-deliveries-dlq',
      eventsTable: 'p-events',
      billingTable: 'p-billing',
      eventWriteShards: Number(pipelineSettings.EVENT_WRITE_SHARDS),
      finalizationSettleSeconds: Number(pipelineSettings.FINALIZATION_SETTLE_SECONDS),
      apiUrl: 'http://api',
      stripeWebhookSecret: 'whsec_local',
      mailViewerUrl: 'http://mail/',
      endpoints,
    });
  });

  it('leave out the API URL and the webhook secret locally when there is no API or the secret was configured', () => {
    const withoutApi = localOutputs(provisioned(), endpoints, 'eu-central-1', 'http://mail/');
    expect(withoutApi).not.toHaveProperty('apiUrl');
    expect(withoutApi).not.toHaveProperty('stripeWebhookSecret');
    const configuredSecret = localOutputs(provisioned(), endpoints, 'eu-central-1', 'http://mail/', { url: 'http://api' });
    expect(configuredSecret.apiUrl).toBe('http://api');
    expect(configuredSecret).not.toHaveProperty('stripeWebhookSecret');
  });

  it('say which resource is missing when a local pipeline lacks one the CLI requires', () => {
    const { [tables.billing.envVar]: _billing, ...env } = provisioned().env;
    expect(() => localOutputs({ ...provisioned(), env }, endpoints, 'eu-central-1', 'http://mail/')).toThrow(/billingTable/);
  });

  it('are validated by the CLI with the schema of those with a schema; the operators-only ones are dropped', () => {
    const stackOnly = outputsFrom('stack');
    expect(stackOnly.sort()).toEqual(['dashboardUrl', 'stripeWebhookSecretArn']);
    for (const name of stackOnly) expect(outputsSchema.shape).not.toHaveProperty(name);
    // A deployed stack's outputs file: every value a string, as CloudFormation gives them.
    const deployed = Object.fromEntries(
      Object.keys(built.template.toJSON().Outputs as object).map((name) => [
        name,
        name.endsWith('Shards') || name.endsWith('Seconds') ? '4' : 'x',
      ]),
    );
    const parsed = outputsSchema.parse(deployed);
    expect(parsed.eventWriteShards).toBe(4);
    expect(parsed).not.toHaveProperty('dashboardUrl');
  });
});

describe('alarm definitions', () => {
  it('have one row per function, queue and schedule of infra/resources.ts, and nothing else', () => {
    const routes = Object.values(httpRoutes) as readonly HttpRouteDefinition[];
    // Two routes may share a function (serve-api); an authorizer is a function too.
    const functionIds = new Set(
      [...Object.values(consumers), ...Object.values(schedules), ...routes, ...routes.flatMap((route) => route.authorizer ?? [])].map(
        (fn) => fn.functionId,
      ),
    );
    expect(Object.keys(functionAlarms).sort()).toEqual([...functionIds].sort());
    expect(Object.keys(queueAlarms).sort()).toEqual(Object.keys(queues).sort());
    expect(Object.keys(scheduleAlarms).sort()).toEqual(Object.keys(schedules).sort());
  });

  it('become the alarms of the stack, named billflow-{stage}-{name}', () => {
    const alarms = Object.values(built.template.findResources('AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties);
    const named = (name: string) => alarms.filter((alarm) => alarm.AlarmName === `billflow-dev-${name}`);
    for (const [functionId, row] of Object.entries(functionAlarms)) {
      expect(named(`${functionId}-errors`).map((alarm) => alarm.AlarmDescription)).toEqual([row.errors]);
      expect(named(`${functionId}-throttles`)[0]?.AlarmDescription).toContain(row.throttled);
    }
    for (const definition of Object.values(businessAlarms)) {
      expect(named(definition.name)).toEqual([
        expect.objectContaining({
          MetricName: definition.metricName,
          Threshold: definition.threshold,
          AlarmDescription: definition.description,
        }),
      ]);
    }
    for (const [key, row] of Object.entries(queueAlarms)) {
      const queue = queues[key as keyof typeof queues];
      expect(named(`${queue.id}-oldest-message-age`)).toEqual([expect.objectContaining({ Threshold: row.maxMessageAge.toSeconds() })]);
    }
  });
});
