/**
 * Whether an event can be billed under a customer's subscriptions: only where one is active
 * at its `time`. The reason says what to do, as every rejection does (kept, replayable).
 */
import { activeAt, isoSeconds, type Subscription } from './subscription.ts';

export function noSubscriptionReason(
  customerId: string,
  time: string,
  instant: number,
  subscriptions: readonly Subscription[],
): string | undefined {
  if (activeAt(subscriptions, instant) !== undefined) return undefined;
  const ended = subscriptions.filter((subscription) => subscription.end !== undefined && subscription.end <= instant).at(-1);
  const context =
    subscriptions.length === 0
      ? 'has no subscription'
      : ended !== undefined
        ? `has no active subscription at time ${time} (plan ${ended.plan} ended at ${isoSeconds(ended.end!)})`
        : `has no active subscription at time ${time}`;
  return `customer "${customerId}" ${context}: events are billed only while a subscription is active; if this usage is billable, start one that covers it (billflow subscriptions start ${customerId} --plan PLAN --at T), then billflow events replay`;
}
