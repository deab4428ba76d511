/**
 * `billflow webhooks add | list | remove | test | deliveries | replay` (issue 19): webhook
 * endpoints that receive billflow's outbound events, signed with the Standard Webhooks scheme.
 */
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { HttpWebhookSender } from '#adapters/http/webhook-sender.ts';
import { replayDeadLetters } from '#adapters/sqs/replay-dead-letters.ts';
import { outboundEventTypes } from '#domain/outbound/catalogue.ts';
import type { OutboundEnvelope } from '#domain/outbound/envelope.ts';
import { LOCAL_OUTBOUND_SOURCE } from '#domain/outbound/envelope.ts';
import type { WebhookEndpoint, WebhookUrlPolicy } from '#domain/outbound/webhook-endpoint.ts';
import { ENDPOINT_ATTRIBUTE, webhookDeliveryMessage } from '#messages/webhook-delivery.ts';
import { addWebhookEndpoint } from '#use-cases/manage-webhook-endpoints.ts';
import { createContext, type CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { emit, table } from '../output.ts';
import { parseInstant, parseWholeNumber, type GlobalOptions } from '../options.ts';

/** Locally (the outputs name the emulators) webhooks may go to http and 127.0.0.1. */
function policyOf(context: CliContext): WebhookUrlPolicy {
  return context.outputs.endpoints === undefined ? 'public-https' : 'local';
}

/** Endpoints as listed: never the secret. */
const listed = ({ secret: _secret, ...endpoint }: WebhookEndpoint) => endpoint;

export function registerWebhookCommands(program: Command, globals: () => GlobalOptions): void {
  const webhooks = program.command('webhooks').description('webhook endpoints that receive billflow events (signed, Standard Webhooks)');

  webhooks
    .command('add')
    .description('subscribe a URL to event types; prints its signing secret once')
    .argument('<url>', 'https URL to POST events to (http://127.0.0.1 allowed locally)')
    .requiredOption('--events <types...>', `event types: ${outboundEventTypes.join(', ')}`)
    .action(async (url: string, options: { events: string[] }) => {
      const context = createContext(globals().outputs);
      const result = await addWebhookEndpoint(url, options.events, {
        endpoints: context.webhookEndpoints,
        policy: policyOf(context),
        newId: () => `wh_${randomBytes(8).toString('hex')}`,
        newSecret: () => `whsec_${randomBytes(24).toString('base64')}`,
        now: Date.now,
      });
      if (!result.ok) throw new UsageError(result.issues.join('\n'));
      const { endpoint } = result;
      emit(globals(), endpoint, () =>
        [
          `added ${endpoint.id}: ${endpoint.url} (${endpoint.events.join(', ')})`,
          `signing secret (shown once, keep it to verify the webhook-signature header): ${endpoint.secret}`,
        ].join('\n'),
      );
    });

  webhooks
    .command('list')
    .description('the webhook endpoints and the event types each receives')
    .action(async () => {
      const context = createContext(globals().outputs);
      const endpoints = (await context.webhookEndpoints.list()).map(listed);
      emit(globals(), endpoints, () =>
        endpoints.length === 0
          ? 'no webhook endpoints: add one with billflow webhooks add URL --events TYPE...'
          : table(
              ['id', 'url', 'events', 'added'],
              endpoints.map((e) => [e.id, e.url, e.events.join(','), e.createdAt]),
            ),
      );
    });

  webhooks
    .command('remove')
    .description('stop sending events to an endpoint')
    .argument('<id>', 'endpoint id (billflow webhooks list)')
    .action(async (id: string) => {
      const context = createContext(globals().outputs);
      if (!(await context.webhookEndpoints.remove(id))) throw new UsageError(`no webhook endpoint ${id}: see billflow webhooks list`);
      emit(globals(), { removed: id }, () => `removed ${id}`);
    });

  webhooks
    .command('test')
    .description('post a signed test event (type billflow.webhook.test) to an endpoint now, and print its answer')
    .argument('<id>', 'endpoint id')
    .action(async (id: string) => {
      const context = createContext(globals().outputs);
      const endpoint = await context.webhookEndpoints.get(id);
      if (endpoint === undefined) throw new UsageError(`no webhook endpoint ${id}: see billflow webhooks list`);
      const at = new Date().toISOString();
      // Not a business fact: a type no subscriber acts on, with a fresh id each time.
      const envelope = {
        specversion: '1.0',
        id: `evt_test_${randomBytes(8).toString('hex')}`,
        source: LOCAL_OUTBOUND_SOURCE,
        type: 'billflow.webhook.test',
        time: at,
        datacontenttype: 'application/json',
        data: { endpointId: id, message: 'test event from billflow webhooks test' },
      } as unknown as OutboundEnvelope;
      const answer = await new HttpWebhookSender({ policy: policyOf(context), timeoutMs: 10_000 }).post(endpoint, envelope);
      const ok = answer.status !== null && answer.status >= 200 && answer.status < 300;
      await context.webhookEndpoints.recordAttempt({ endpointId: id, eventId: envelope.id, eventType: 'webhook.test', at, ...answer, ok });
      emit(globals(), { endpointId: id, eventId: envelope.id, ok, ...answer }, () =>
        ok
          ? `${id} answered ${answer.status} in ${answer.latencyMs} ms`
          : `${id} did not accept the test event: ${answer.error ?? `HTTP ${answer.status}`} (${answer.latencyMs} ms)`,
      );
      if (!ok) process.exitCode = 1;
    });

  webhooks
    .command('deliveries')
    .description('the latest delivery attempts, newest first: status code and latency')
    .option('--endpoint <id>', 'only this endpoint')
    .option('--limit <n>', 'at most this many (default 50)', '50')
    .action(async (options: { endpoint?: string; limit: string }) => {
      const context = createContext(globals().outputs);
      const limit = parseWholeNumber('--limit', options.limit, 1, 1000);
      const attempts = await context.webhookEndpoints.listAttempts({
        ...(options.endpoint === undefined ? {} : { endpointId: options.endpoint }),
        limit,
      });
      emit(globals(), attempts, () =>
        table(
          ['at', 'endpoint', 'event', 'type', 'status', 'ms', 'error'],
          attempts.map((a) => [a.at, a.endpointId, a.eventId, a.eventType, a.status ?? '-', a.latencyMs, a.error ?? '']),
        ),
      );
    });

  webhooks
    .command('replay')
    .description('send dead-lettered deliveries (failed for over 3 days) again')
    .option('--since <instant>', 'only events that happened at or after this RFC 3339 instant')
    .option('--endpoint <id>', 'only to this endpoint (others that missed them stay without)')
    .action(async (options: { since?: string; endpoint?: string }) => {
      const context = createContext(globals().outputs);
      const { webhookDeliveriesQueueUrl: queueUrl, webhookDeliveriesDlqUrl: dlqUrl } = context.outputs;
      if (queueUrl === undefined || dlqUrl === undefined)
        throw new UsageError('the outputs name no webhook deliveries queue: deploy (or npm start) this version first');
      const since = options.since === undefined ? undefined : parseInstant('--since', options.since, '2026-12-01T00:00:00Z');
      if (options.endpoint !== undefined && (await context.webhookEndpoints.get(options.endpoint)) === undefined)
        throw new UsageError(`no webhook endpoint ${options.endpoint}: see billflow webhooks list`);
      const result = await replayDeadLetters(context.clients.sqs, dlqUrl, queueUrl, (body) => {
        const envelope = deadLetteredEvent(body);
        if (envelope === undefined || (since !== undefined && Date.parse(envelope.time) < since)) return undefined;
        return {
          body: webhookDeliveryMessage.serialize(envelope),
          ...(options.endpoint === undefined
            ? {}
            : { attributes: { [ENDPOINT_ATTRIBUTE]: { DataType: 'String', StringValue: options.endpoint } } }),
        };
      });
      emit(globals(), result, () => `sent ${result.replayed} dead-lettered events again; ${result.left} left in the dead-letter queue`);
    });
}

/**
 * A dead-lettered message: the CloudEvent itself (deliveries that failed), or the whole
 * EventBridge event around it (EventBridge could not put it on the queue); else not ours.
 */
function deadLetteredEvent(body: string): OutboundEnvelope | undefined {
  try {
    const json = JSON.parse(body) as { detail?: unknown };
    const candidate = json.detail !== undefined && typeof json.detail === 'object' ? JSON.stringify(json.detail) : body;
    return webhookDeliveryMessage.parse(candidate);
  } catch {
    return undefined;
  }
}
