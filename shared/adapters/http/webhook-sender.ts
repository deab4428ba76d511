/**
 * Posts an outbound event to a webhook endpoint, signed with the Standard Webhooks scheme
 * (`webhook-id` = the event id, the same on every attempt; `webhook-timestamp`; and
 * `webhook-signature`, by the `standardwebhooks` package). Re-signed on every attempt, so a
 * retry days later is not refused as stale. Redirects are not followed (a 3xx is a failed
 * attempt): a redirect could lead to an address the policy forbids.
 */
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Webhook } from 'standardwebhooks';
import type { OutboundEnvelope } from '#domain/outbound/envelope.ts';
import type { WebhookEndpoint, WebhookUrlPolicy } from '#domain/outbound/webhook-endpoint.ts';
import type { WebhookSender } from '#ports/webhook-endpoints.ts';
import { hostOf, isPublicAddress, publicOnlyLookup } from './address-policy.ts';
import { isIP } from 'node:net';

export interface HttpWebhookSenderOptions {
  readonly policy: WebhookUrlPolicy;
  /** Per attempt, connection to the end of the answer. */
  readonly timeoutMs: number;
  readonly now?: () => number;
}

export class HttpWebhookSender implements WebhookSender {
  constructor(private readonly options: HttpWebhookSenderOptions) {}

  async post(endpoint: WebhookEndpoint, envelope: OutboundEnvelope): Promise<{ status: number | null; latencyMs: number; error?: string }> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const url = new URL(endpoint.url);
    const refusal = this.refusal(url);
    if (refusal !== undefined) return { status: null, latencyMs: 0, error: refusal };
    const body = JSON.stringify(envelope);
    const timestamp = new Date(this.options.now?.() ?? Date.now());
    const signature = new Webhook(endpoint.secret).sign(envelope.id, timestamp, body);
    const options: RequestOptions = {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'user-agent': 'billflow-webhooks',
        'webhook-id': envelope.id,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signature,
      },
      signal: AbortSignal.timeout(this.options.timeoutMs),
      ...(this.options.policy === 'public-https' ? { lookup: publicOnlyLookup } : {}),
    };
    try {
      const status = await send(url, options, body);
      return { status, latencyMs: elapsed() };
    } catch (error) {
      const message =
        (error as Error).name === 'AbortError' || (error as Error).name === 'TimeoutError'
          ? `no answer within ${this.options.timeoutMs} ms`
          : (error as Error).message;
      return { status: null, latencyMs: elapsed(), error: message };
    }
  }

  /** Why the URL may not be posted to under the policy, before any connection. */
  private refusal(url: URL): string | undefined {
    if (this.options.policy === 'local')
      return url.protocol === 'http:' || url.protocol === 'https:' ? undefined : `unsupported ${url.protocol}`;
    if (url.protocol !== 'https:') return `${url.protocol} is not allowed in AWS: webhooks are sent over https only`;
    // A literal address is connected to without a lookup: check it here.
    const host = hostOf(url);
    if (isIP(host) !== 0 && !isPublicAddress(host)) return `${host} is not a public address: webhooks may not be sent to it`;
    return undefined;
  }
}

function send(url: URL, options: RequestOptions, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options, (response: IncomingMessage) => {
      // Read and drop the answer: the status is what counts, and the socket is freed.
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}
