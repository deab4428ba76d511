/**
 * Stripe webhook signatures, exactly as CONTRACTS.md section 5 states them:
 * `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...]`, HMAC-SHA256 with the endpoint
 * secret over `"{t}.{raw body}"`; any v1 may match, compared in constant time; `t` within
 * 300 s of now, in either direction; up to two secrets at once (rotation).
 *
 * Why not the Stripe SDK's `constructEvent`: it only refuses timestamps that are too OLD (one
 * from the far future passes), takes one secret per call and parses the body itself. The tests
 * sign with the SDK's `generateTestHeaderString`, so both sides still meet in the middle.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookSignatureError } from './errors.ts';

export const SIGNATURE_TOLERANCE_SECONDS = 300;

export type SignatureProblem = 'missing_header' | 'malformed_header' | 'stale_timestamp' | 'no_matching_signature';

interface ParsedHeader {
  readonly timestamp: number;
  readonly signatures: readonly Buffer[];
}

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

function parseHeader(header: string): ParsedHeader {
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const separator = part.indexOf('=');
    if (separator < 1) continue;
    const key = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value))
        throw new WebhookSignatureError('malformed_header', 'Stripe-Signature has a t= that is not a unix time in seconds');
      timestamp = Number(value);
    }
    // Other schemes (v0 test signatures, future ones) are ignored, as Stripe advises.
    if (key === 'v1' && HEX_SHA256.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === undefined) throw new WebhookSignatureError('malformed_header', 'Stripe-Signature has no t= timestamp');
  if (signatures.length === 0) throw new WebhookSignatureError('malformed_header', 'Stripe-Signature has no v1= signature');
  return { timestamp, signatures };
}

/**
 * Throws WebhookSignatureError unless one of `secrets` signed `rawBody` at a time within the
 * tolerance of `nowSeconds`. Returns the signed timestamp.
 */
export function verifyStripeSignature(
  rawBody: string,
  header: string | undefined,
  secrets: readonly string[],
  nowSeconds: number,
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): number {
  if (header === undefined || header.trim() === '')
    throw new WebhookSignatureError('missing_header', 'the Stripe-Signature header is missing');
  const { timestamp, signatures } = parseHeader(header);
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) {
    throw new WebhookSignatureError('stale_timestamp', `the signature's timestamp is more than ${toleranceSeconds} s away from now`);
  }
  const payload = `${timestamp}.${rawBody}`;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(payload, 'utf8').digest();
    // Every candidate is compared (no early exit on the first byte), and only equal lengths reach timingSafeEqual.
    if (signatures.some((signature) => signature.length === expected.length && timingSafeEqual(signature, expected))) return timestamp;
  }
  throw new WebhookSignatureError('no_matching_signature', 'no v1 signature matches the endpoint secret');
}

/** `STRIPE_WEBHOOK_SECRET` / the Secrets Manager value: one secret, or two separated by a comma. */
export function parseWebhookSecrets(value: string): string[] {
  const secrets = value
    .split(',')
    .map((secret) => secret.trim())
    .filter((secret) => secret !== '');
  if (secrets.length === 0) throw new Error('the Stripe webhook secret is empty: set one secret, or two separated by a comma');
  if (secrets.length > 2)
    throw new Error(`the Stripe webhook secret holds ${secrets.length} secrets; at most two are accepted at once (rotation)`);
  return secrets;
}
