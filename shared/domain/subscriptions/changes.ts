/**
 * Subscription changes as operators make them (billflow subscriptions start|change|cancel):
 * each turns a history into a new one, which must then pass the rules (./rules.ts) and leave
 * every finalized period as it was (./finalized.ts). Pure: the caller gives the instant.
 */
import { activeAt, isoSeconds, type Subscription } from './subscription.ts';

export type SubscriptionChange =
  | { readonly kind: 'start'; readonly plan: string; readonly at: number }
  | { readonly kind: 'change'; readonly plan: string; readonly at: number }
  | { readonly kind: 'cancel'; readonly at: number };

export type ChangeResult = { readonly ok: true; readonly subscriptions: Subscription[] } | { readonly ok: false; readonly message: string };

/**
 * A customer on the `plan:` shorthand has a subscription without a start; once it is changed
 * or ended it is written as a list, and its start as the epoch: every earlier period stays
 * billed whole, exactly as before.
 */
export const SINCE_ALWAYS = 0;

export function applyChange(history: readonly Subscription[], change: SubscriptionChange): ChangeResult {
  const at = change.at;
  const current = activeAt(history, at);
  switch (change.kind) {
    case 'start':
      // Overlaps with an active or later subscription are reported by the rules, with dates.
      return { ok: true, subscriptions: withStarts([...history, { plan: change.plan, start: at }]) };
    case 'change': {
      if (current === undefined) {
        return { ok: false, message: `no subscription is active at ${isoSeconds(at)} to change: use billflow subscriptions start` };
      }
      if (current.plan === change.plan)
        return { ok: false, message: `the subscription active at ${isoSeconds(at)} is already on plan ${change.plan}` };
      const replaced =
        current.start !== undefined && current.start === at
          ? [{ ...current, plan: change.plan }]
          : [
              { ...current, end: at },
              { plan: change.plan, start: at, ...(current.end === undefined ? {} : { end: current.end }) },
            ];
      return {
        ok: true,
        subscriptions: withStarts(history.flatMap((subscription) => (subscription === current ? replaced : [subscription]))),
      };
    }
    case 'cancel': {
      const later = history.filter((subscription) => subscription.start !== undefined && subscription.start >= at);
      if (current === undefined && later.length === 0) {
        return { ok: false, message: `no subscription is active at ${isoSeconds(at)} or starts after it: nothing to cancel` };
      }
      // Ending at the start removes it; scheduled ones after the cancellation go too.
      const kept = history.flatMap((subscription): Subscription[] => {
        if (later.includes(subscription)) return [];
        if (subscription === current) return [{ ...subscription, end: at }];
        return [subscription];
      });
      return { ok: true, subscriptions: withStarts(kept) };
    }
  }
}

function withStarts(history: readonly Subscription[]): Subscription[] {
  return history
    .map((subscription) => (subscription.start === undefined ? { ...subscription, start: SINCE_ALWAYS } : subscription))
    .sort((a, b) => a.start! - b.start!);
}

/** Where a subscription stands at `now`. */
export function subscriptionStatus(subscription: Subscription, now: number): 'active' | 'scheduled' | 'ended' {
  if (subscription.start !== undefined && subscription.start > now) return 'scheduled';
  if (subscription.end !== undefined && subscription.end <= now) return 'ended';
  return 'active';
}
