/**
 * Function configuration, read from the environment once per container and validated, so a
 * misconfigured deployment fails at start with a message naming the variable.
 */
import { z } from 'zod';

const positiveInt = (name: string, fallback: number, max: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed < 1 || parsed > max) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a whole number from 1 to ${max}, got "${value}"` });
        return z.NEVER;
      }
      return parsed;
    });

const ingestConfigSchema = z.object({
  EVENTS_TABLE: z.string({ error: 'EVENTS_TABLE (events table name) is not set' }).min(1),
  BILLING_TABLE: z.string({ error: 'BILLING_TABLE (billing table name) is not set' }).min(1),
  GRACE_PERIOD_HOURS: positiveInt('GRACE_PERIOD_HOURS', 1, 24 * 31),
  // Fixed for the life of a table: every copy of an event must hash to the same shard (docs/storage.md).
  EVENT_WRITE_SHARDS: positiveInt('EVENT_WRITE_SHARDS', 4, 64),
  EVENT_RETENTION_DAYS: positiveInt('EVENT_RETENTION_DAYS', 400, 3650),
});

export interface IngestConfig {
  readonly eventsTable: string;
  readonly billingTable: string;
  readonly gracePeriodMs: number;
  readonly eventWriteShards: number;
  readonly eventRetentionDays: number;
}

export function readIngestConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  const parsed = ingestConfigSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`billflow configuration is invalid: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  }
  const value = parsed.data;
  return {
    eventsTable: value.EVENTS_TABLE,
    billingTable: value.BILLING_TABLE,
    gracePeriodMs: value.GRACE_PERIOD_HOURS * 3_600_000,
    eventWriteShards: value.EVENT_WRITE_SHARDS,
    eventRetentionDays: value.EVENT_RETENTION_DAYS,
  };
}
