/**
 * One usage event as billing reads it, whatever format it arrived in (CloudEvents 1.0 today:
 * shared/formats/cloudevents.ts): who (`subject`, the customer id), what (`type`), when
 * (`time`, RFC 3339 with an offset) and the values its meters read (`data`). The pair
 * (`source`, `id`) identifies it.
 */
export interface UsageEvent {
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject: string;
  readonly time: string;
  readonly data?: unknown;
}
