/**
 * The API keys' token buckets in the billing table: pk `API_THROTTLE#{keyId}`, sk `BUCKET`,
 * `fullAt` the instant (epoch microseconds) the bucket is full again (the domain's one number,
 * shared/domain/api-keys/rate-limit.ts). An absent or expired item is a full bucket, so DynamoDB's
 * TTL (`expiresAt`) may delete the item of a key that has been quiet for an hour.
 *
 * Why it is correct under concurrency: the bucket is never read and then written. Each attempt
 * is one conditional UpdateItem whose condition IS the admission rule for one of the two cases
 * of max(fullAt, now), and whose update is that case's new value:
 * - `refill`: the bucket is full (no item, or fullAt < now): SET fullAt = now + interval;
 * - `take`: it is not (now <= fullAt <= now + tolerance, a token left): SET fullAt = fullAt + interval.
 * DynamoDB evaluates a condition and applies its update atomically per item, so two requests
 * racing for the last token cannot both pass: whichever writes second is judged on the value
 * the first wrote. When a condition fails, DynamoDB returns the item as it is
 * (ReturnValuesOnConditionCheckFailure, no extra read): a fullAt beyond now + tolerance is a
 * refusal, with Retry-After from that value; otherwise another request changed the bucket in
 * between and the other case is tried. A request admitted costs one write (two only when it lost
 * such a race or this container guessed the case wrong; the guess is the last fullAt it saw).
 *
 * Clocks: `now` is the caller's clock (each Lambda container's), not DynamoDB's. A clock behind
 * the others sees the bucket emptier (it refills nothing, as max(fullAt, now) keeps fullAt); one
 * ahead by s seconds can get at most rate * s tokens early.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { bucketTerms, microsOf, retryAfterSeconds, type KeyRateLimit } from '#domain/api-keys/rate-limit.ts';
import type { RequestThrottle, ThrottleDecision } from '#ports/request-throttle.ts';

const keyOf = (keyId: string) => ({ pk: `API_THROTTLE#${keyId}`, sk: 'BUCKET' });
/** An idle bucket's item lives this long after it is full again (then it is deleted, which changes nothing). */
const KEEP_FULL_BUCKET_SECONDS = 3600;
/** Each lost attempt means another request changed the bucket: after this many, the key is saturated. */
const MAX_ATTEMPTS = 4;

export class DynamoDbRequestThrottle implements RequestThrottle {
  /** The last fullAt this container saw per key: which case to try first. */
  private readonly lastSeen = new Map<string, number>();

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async take(keyId: string, limit: KeyRateLimit, now: number): Promise<ThrottleDecision> {
    const nowMicros = microsOf(now);
    const { intervalMicros, toleranceMicros } = bucketTerms(limit);
    const seen = this.lastSeen.get(keyId);
    let refill = seen === undefined || seen < nowMicros;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.attempt(keyId, refill, nowMicros, intervalMicros, toleranceMicros);
      if (current.written) {
        this.lastSeen.set(keyId, current.fullAt);
        return { admitted: true };
      }
      if (current.fullAt === undefined) {
        refill = true;
        continue;
      }
      this.lastSeen.set(keyId, current.fullAt);
      if (current.fullAt > nowMicros + toleranceMicros) {
        return { admitted: false, retryAfterSeconds: retryAfterSeconds(current.fullAt, nowMicros, limit) };
      }
      refill = current.fullAt < nowMicros;
    }
    // Every attempt lost to another request of the same key: it is using its whole budget.
    return { admitted: false, retryAfterSeconds: 1 };
  }

  /** One conditional update; the bucket's fullAt after it, or as it was when the condition failed. */
  private async attempt(
    keyId: string,
    refill: boolean,
    nowMicros: number,
    intervalMicros: number,
    toleranceMicros: number,
  ): Promise<{ written: true; fullAt: number } | { written: false; fullAt: number | undefined }> {
    const expiresAt = Math.ceil((nowMicros + toleranceMicros + intervalMicros) / 1_000_000) + KEEP_FULL_BUCKET_SECONDS;
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keyOf(keyId),
          ...(refill
            ? {
                UpdateExpression: 'SET fullAt = :refilled, expiresAt = :expiresAt',
                ConditionExpression: 'attribute_not_exists(fullAt) OR fullAt < :now',
                ExpressionAttributeValues: { ':refilled': nowMicros + intervalMicros, ':now': nowMicros, ':expiresAt': expiresAt },
              }
            : {
                UpdateExpression: 'SET fullAt = fullAt + :interval, expiresAt = :expiresAt',
                ConditionExpression: 'fullAt BETWEEN :now AND :latest',
                ExpressionAttributeValues: {
                  ':interval': intervalMicros,
                  ':now': nowMicros,
                  ':latest': nowMicros + toleranceMicros,
                  ':expiresAt': expiresAt,
                },
              }),
          ReturnValues: 'UPDATED_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { written: true, fullAt: Number(Attributes?.fullAt) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // The item as DynamoDB returns it on a failed condition: not unmarshalled by the document client.
      const stored = error.Item?.fullAt?.N;
      return { written: false, fullAt: stored === undefined ? undefined : Number(stored) };
    }
  }
}
