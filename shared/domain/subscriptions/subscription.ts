/**
 * A customer's subscriptions over time: which plan applies from which instant to which.
 * Instants are epoch milliseconds on whole seconds (proration counts seconds). A missing
 * start means "since always" and a missing end "until further notice": the catalog's `plan:`
 * shorthand is one subscription with neither, so every period is billed whole, as before.
 */
import type { Customer, SubscriptionTerm } from '../catalog/types.ts';
import { parseRfc3339 } from '../events/rfc3339.ts';

export interface Subscription {
  readonly plan: string;
  /** Inclusive, epoch ms; undefined: no start (the `plan:` shorthand). */
  readonly start?: number;
  /** Exclusive, epoch ms; undefined: open-ended. */
  readonly end?: number;
}

/** The customer's subscriptions, oldest first (the shorthand `plan:` as one open-ended one). */
export function subscriptionsOf(customer: Pick<Customer, 'plan' | 'subscriptions'>): Subscription[] {
  if (customer.subscriptions !== undefined) return customer.subscriptions.map(fromTerm).sort(byStart);
  if (customer.plan !== undefined) return [{ plan: customer.plan }];
  return [];
}

export function fromTerm(term: SubscriptionTerm): Subscription {
  const start = parseRfc3339(term.start);
  if (start === undefined) throw new Error(`Subscription start "${term.start}" is not an RFC 3339 date-time`);
  if (term.end === undefined) return { plan: term.plan, start };
  const end = parseRfc3339(term.end);
  if (end === undefined) throw new Error(`Subscription end "${term.end}" is not an RFC 3339 date-time`);
  return { plan: term.plan, start, end };
}

/** As written to the catalog: UTC instants without fractions ("2026-11-10T00:00:00Z"). */
export function toTerm(subscription: Subscription): SubscriptionTerm {
  if (subscription.start === undefined) throw new Error('A subscription without a start is written as the plan: shorthand');
  return {
    plan: subscription.plan,
    start: isoSeconds(subscription.start),
    ...(subscription.end === undefined ? {} : { end: isoSeconds(subscription.end) }),
  };
}

export function isoSeconds(instant: number): string {
  return new Date(instant).toISOString().replace('.000Z', 'Z');
}

/** The subscription active at `instant` ([start, end)), if any. */
export function activeAt(subscriptions: readonly Subscription[], instant: number): Subscription | undefined {
  return subscriptions.find((subscription) => covers(subscription, instant));
}

export function covers(subscription: Subscription, instant: number): boolean {
  return (
    (subscription.start === undefined || subscription.start <= instant) && (subscription.end === undefined || instant < subscription.end)
  );
}

function byStart(a: Subscription, b: Subscription): number {
  return (a.start ?? -Infinity) - (b.start ?? -Infinity);
}
