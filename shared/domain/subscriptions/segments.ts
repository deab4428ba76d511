/**
 * The segments of a billing period: the parts of [start, end) each under one subscription,
 * in time order. A segment's share of the period is counted in whole seconds, so the shares
 * of a period's segments add up to exactly the period when its subscriptions cover it.
 */
import { periodBounds } from '../period.ts';
import type { Subscription } from './subscription.ts';

export interface Segment {
  readonly plan: string;
  /** Epoch ms, inclusive. */
  readonly from: number;
  /** Epoch ms, exclusive. */
  readonly to: number;
  /** Length of the segment in whole seconds. */
  readonly seconds: number;
  /** Length of its billing period in whole seconds. */
  readonly periodSeconds: number;
  /** The segment is the whole period: its base fee and minimum are not prorated. */
  readonly whole: boolean;
}

export function periodSegments(subscriptions: readonly Subscription[], period: string): Segment[] {
  const bounds = periodBounds(period);
  const periodSeconds = (bounds.end - bounds.start) / 1000;
  const segments: Segment[] = [];
  for (const subscription of subscriptions) {
    const from = Math.max(bounds.start, subscription.start ?? bounds.start);
    const to = Math.min(bounds.end, subscription.end ?? bounds.end);
    if (to <= from) continue;
    const seconds = Math.floor(to / 1000) - Math.floor(from / 1000);
    segments.push({ plan: subscription.plan, from, to, seconds, periodSeconds, whole: from === bounds.start && to === bounds.end });
  }
  return segments.sort((a, b) => a.from - b.from);
}

/**
 * The segment an event at `instant` is priced in: the one active then. An event stored before
 * a later change left it outside every subscription (accepted events are never dropped) is
 * priced in the segment before it, or the first one when it precedes them all.
 */
export function segmentIndexAt(segments: readonly Segment[], instant: number): number {
  let index = 0;
  segments.forEach((segment, candidate) => {
    if (segment.from <= instant) index = candidate;
  });
  return index;
}

/** How a segment is named in lines and storage: its start as an ISO instant. */
export function segmentKey(segment: Pick<Segment, 'from'>): string {
  return new Date(segment.from).toISOString();
}
