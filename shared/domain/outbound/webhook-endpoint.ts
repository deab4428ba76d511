/**
 * Webhook endpoints (issue 19): where outbound events are posted outside AWS, which event
 * types each wants, the URL rules, and how long a failing delivery is retried.
 */
import { isOutboundEventType, outboundEventTypes, type OutboundEventType } from './catalogue.ts';

export interface WebhookEndpoint {
  readonly id: string;
  readonly url: string;
  /** The catalogue types it receives (`invoice.finalized`, ...). */
  readonly events: readonly OutboundEventType[];
  /** Standard Webhooks signing secret, `whsec_` + base64; shown once, when added. */
  readonly secret: string;
  readonly createdAt: string;
}

/**
 * `public-https` (AWS): https only, and the sender refuses loopback, link-local and private
 * addresses (server-side request forgery). `local` (npm start): http and 127.0.0.1 allowed.
 */
export type WebhookUrlPolicy = 'public-https' | 'local';

/** An endpoint's URL or event list that cannot be used, with what to fix; empty when fine. */
export function endpointIssues(url: string, events: readonly string[], policy: WebhookUrlPolicy): string[] {
  const issues: string[] = [];
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    issues.push(`URL "${url}" is not an absolute URL: give one such as https://hooks.example.com/billflow`);
  }
  if (parsed !== undefined) {
    const allowed = policy === 'local' ? ['https:', 'http:'] : ['https:'];
    if (!allowed.includes(parsed.protocol)) issues.push(`URL "${url}" must use ${allowed.map((p) => p.slice(0, -1)).join(' or ')}`);
    if (parsed.username !== '' || parsed.password !== '') issues.push(`URL "${url}" must not carry a user name or password`);
  }
  if (events.length === 0) issues.push(`give the event types to send with --events, from: ${outboundEventTypes.join(', ')}`);
  for (const type of events) {
    if (!isOutboundEventType(type)) issues.push(`unknown event type "${type}": use one of ${outboundEventTypes.join(', ')}`);
  }
  return issues;
}

export function subscribes(endpoint: Pick<WebhookEndpoint, 'events'>, type: OutboundEventType): boolean {
  return endpoint.events.includes(type);
}

/** How a failing delivery is retried: the delay doubles from `baseSeconds` up to `maxSeconds`. */
export interface RetrySchedule {
  readonly baseSeconds: number;
  readonly maxSeconds: number;
}

/** In AWS: 1 minute, doubling, capped at 12 hours (SQS's longest visibility timeout). */
export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = { baseSeconds: 60, maxSeconds: 12 * 60 * 60 };

/** Seconds to wait after the `attempt`-th failed attempt (1-based) before the next one. */
export function retryDelaySeconds(attempt: number, schedule: RetrySchedule): number {
  return Math.min(schedule.maxSeconds, schedule.baseSeconds * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
}

/** How long `attempts` attempts keep a delivery alive: the sum of the delays between them. */
export function retryWindowSeconds(attempts: number, schedule: RetrySchedule): number {
  let total = 0;
  for (let attempt = 1; attempt < attempts; attempt += 1) total += retryDelaySeconds(attempt, schedule);
  return total;
}
