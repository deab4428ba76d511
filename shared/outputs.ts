/**
 * The outputs users and the CLI rely on (CONTRACTS.md section 6): written by `npm start` to
 * .billflow/outputs.json, and by the CDK stack as stack outputs of the same names.
 */
import { z } from 'zod';

export const outputsSchema = z.object({
  region: z.string().min(1),
  eventsQueueUrl: z.string().min(1),
  eventsDlqUrl: z.string().min(1),
  /** Not in CONTRACTS.md: the invoice run's fan-out queue, for `billflow invoices run`. */
  invoiceJobsQueueUrl: z.string().min(1),
  invoiceJobsDlqUrl: z.string().min(1),
  /** Optional: when present, `billflow invoices run` also waits for rendering and sending. */
  invoiceDocumentsQueueUrl: z.string().min(1).optional(),
  invoiceEmailsQueueUrl: z.string().min(1).optional(),
  /** Optional: when present, `billflow payments` commands wait for queued webhook events. */
  paymentEventsQueueUrl: z.string().min(1).optional(),
  invoicesBucket: z.string().min(1),
  /** Not in CONTRACTS.md: the CLI reads and writes the tables directly. */
  eventsTable: z.string().min(1),
  billingTable: z.string().min(1),
  /** Must match the functions' EVENT_WRITE_SHARDS for the CLI to read every shard. */
  eventWriteShards: z.coerce.number().int().min(1).max(64),
  finalizationSettleSeconds: z.coerce.number().int().min(1),
  /** Base URL of the HTTP API: webhooks go to `{apiUrl}/webhooks/stripe`. */
  apiUrl: z.string().optional(),
  /** Local only, when STRIPE_WEBHOOK_SECRET is unset: the generated endpoint secret (CONTRACTS.md section 5). */
  stripeWebhookSecret: z.string().optional(),
  mailViewerUrl: z.string().optional(),
  endpoints: z
    .object({ dynamodb: z.string(), sqs: z.string(), s3: z.string(), ses: z.string() })
    .optional(),
});

export type Outputs = z.infer<typeof outputsSchema>;
