/**
 * What makes a customer's subscription history valid: each ends after it starts, at most one
 * is active at any instant, and all bill in one currency (an invoice has one). Problems are
 * addressed by the subscription's index, so the catalog and the CLI can prefix their paths.
 */
import { isoSeconds, type Subscription } from './subscription.ts';

export interface SubscriptionProblem {
  readonly index: number;
  readonly field: 'start' | 'end' | 'plan';
  readonly message: string;
}

export function subscriptionProblems(
  subscriptions: readonly Subscription[],
  currencyOfPlan: (code: string) => string | undefined,
): SubscriptionProblem[] {
  const problems: SubscriptionProblem[] = [];
  subscriptions.forEach((subscription, index) => {
    if (subscription.start !== undefined && subscription.end !== undefined && subscription.end <= subscription.start) {
      problems.push({ index, field: 'end', message: `must be after start (${isoSeconds(subscription.start)})` });
    }
  });
  const ordered = subscriptions
    .map((subscription, index) => ({ subscription, index }))
    .sort((a, b) => (a.subscription.start ?? -Infinity) - (b.subscription.start ?? -Infinity));
  for (let position = 1; position < ordered.length; position += 1) {
    const previous = ordered[position - 1]!;
    const current = ordered[position]!;
    const previousEnd = previous.subscription.end;
    if (previousEnd === undefined || (current.subscription.start ?? -Infinity) < previousEnd) {
      const until = previousEnd === undefined ? 'has no end' : `ends at ${isoSeconds(previousEnd)}`;
      problems.push({
        index: current.index,
        field: 'start',
        message: `overlaps the subscription to plan ${previous.subscription.plan}${since(previous.subscription)}, which ${until}; a customer has at most one active subscription at any instant: end the earlier one first`,
      });
    }
  }
  const currencies = subscriptions.map((subscription) => currencyOfPlan(subscription.plan));
  const first = currencies.findIndex((currency) => currency !== undefined);
  currencies.forEach((currency, index) => {
    if (first === -1 || currency === undefined || currency === currencies[first]) return;
    problems.push({
      index,
      field: 'plan',
      message: `plan ${subscriptions[index]!.plan} bills in ${currency} but plan ${subscriptions[first]!.plan}${since(subscriptions[first]!)} in ${currencies[first]}; all of a customer's subscriptions use one currency`,
    });
  });
  return problems;
}

function since(subscription: Subscription): string {
  return subscription.start === undefined ? '' : ` (from ${isoSeconds(subscription.start)})`;
}

/** Whole seconds: a segment's share of its period is counted in seconds. */
export function isWholeSecond(instant: number): boolean {
  return instant % 1000 === 0;
}
