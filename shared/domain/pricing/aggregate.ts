/**
 * One meter's quantity over a customer's events in a period, computed in one streaming pass.
 *
 * The invoice run reads a period's events in parallel parts (chunks, shards); each part gets
 * its own aggregator and merge() combines them. Every aggregation is built so that the result
 * does not depend on how the events were split or in which order parts were merged: counts and
 * sums add, max and distinct sets are order-free, and `latest` breaks ties on a total order.
 *
 * Parts must be disjoint (the event store deduplicates on read, docs/storage.md): merging an
 * aggregator into itself, or two parts that share events, counts those events twice for count
 * and sum.
 */
import type { Aggregation, Meter } from '../catalog/types.ts';
import type { StoredEvent } from '../events/billable-event.ts';
import { Decimal, ZERO, decimalText } from '../money.ts';

interface LatestValue {
  readonly t: number;
  readonly source: string;
  readonly id: string;
  readonly value: Decimal;
}

export class MeterAggregator {
  readonly meter: Meter;
  #eventCount = 0;
  #skippedEventCount = 0;
  #sum: Decimal = ZERO;
  #max: Decimal | undefined;
  /** unique_count: JSON text of each distinct value. */
  readonly #distinct = new Set<string>();
  #latest: LatestValue | undefined;

  constructor(meter: Meter) {
    if (meter.aggregation !== 'count' && meter.valueProperty === undefined) {
      throw new Error(`Meter ${meter.code} aggregates "${meter.aggregation}" but has no valueProperty to read`);
    }
    this.meter = meter;
  }

  /** Events of the meter's type that fed the quantity. */
  get eventCount(): number {
    return this.#eventCount;
  }

  /**
   * Events of the meter's type whose value could not be read (missing, or not a number where
   * one is needed). Ingestion rejects such events, so this is non-zero only when the meter's
   * valueProperty changed after the events were stored; the caller reports it instead of this
   * pure function guessing a value.
   */
  get skippedEventCount(): number {
    return this.#skippedEventCount;
  }

  add(event: StoredEvent): void {
    // Several meters can read one event type, and an aggregator sees all of a customer's events.
    if (event.type !== this.meter.eventType) return;
    const aggregation: Aggregation = this.meter.aggregation;
    if (aggregation === 'count') {
      this.#eventCount += 1;
      return;
    }
    const raw = readProperty(event.data, this.meter.valueProperty ?? '');
    if (aggregation === 'unique_count') {
      // JSON text keeps types apart: the number 1 is "1" and the string "1" is "\"1\"", so
      // a user id sent once as a number and once as text counts as two distinct values.
      // Numbers that JSON prints alike (1 and 1.0) are one value.
      if (!(typeof raw === 'string' && raw.length > 0) && !(typeof raw === 'number' && Number.isFinite(raw))) {
        this.#skippedEventCount += 1;
        return;
      }
      this.#eventCount += 1;
      this.#distinct.add(JSON.stringify(raw));
      return;
    }
    const value = numericValue(raw);
    if (value === undefined) {
      this.#skippedEventCount += 1;
      return;
    }
    this.#eventCount += 1;
    if (aggregation === 'sum') this.#sum = this.#sum.plus(value);
    else if (aggregation === 'max') this.#max = this.#max === undefined || value.greaterThan(this.#max) ? value : this.#max;
    else this.#latest = later(this.#latest, { t: event.t, source: event.source, id: event.id, value });
  }

  /** Folds another part of the same meter's events into this one. */
  merge(other: MeterAggregator): void {
    if (other === this) throw new Error(`Cannot merge the aggregator of meter ${this.meter.code} into itself`);
    if (other.meter.code !== this.meter.code || other.meter.aggregation !== this.meter.aggregation) {
      throw new Error(
        `Cannot merge meter ${other.meter.code} (${other.meter.aggregation}) into meter ${this.meter.code} (${this.meter.aggregation})`,
      );
    }
    this.#eventCount += other.#eventCount;
    this.#skippedEventCount += other.#skippedEventCount;
    this.#sum = this.#sum.plus(other.#sum);
    if (other.#max !== undefined && (this.#max === undefined || other.#max.greaterThan(this.#max))) this.#max = other.#max;
    for (const value of other.#distinct) this.#distinct.add(value);
    if (other.#latest !== undefined) this.#latest = later(this.#latest, other.#latest);
  }

  /** The aggregated quantity as decimal text; "0" when no event fed it. */
  quantity(): string {
    switch (this.meter.aggregation) {
      case 'count':
        return String(this.#eventCount);
      case 'sum':
        return decimalText(this.#sum);
      case 'max':
        return decimalText(this.#max ?? ZERO);
      case 'unique_count':
        return String(this.#distinct.size);
      case 'latest':
        return decimalText(this.#latest?.value ?? ZERO);
    }
  }
}

export function createAggregator(meter: Meter): MeterAggregator {
  return new MeterAggregator(meter);
}

/** Every meter's aggregator after one pass over the events, keyed by meter code. */
export function aggregateUsage(meters: readonly Meter[], events: Iterable<StoredEvent>): Map<string, MeterAggregator> {
  const byCode = new Map<string, MeterAggregator>();
  const byEventType = new Map<string, MeterAggregator[]>();
  for (const meter of meters) {
    const aggregator = createAggregator(meter);
    byCode.set(meter.code, aggregator);
    byEventType.set(meter.eventType, [...(byEventType.get(meter.eventType) ?? []), aggregator]);
  }
  for (const event of events) {
    for (const aggregator of byEventType.get(event.type) ?? []) aggregator.add(event);
  }
  return byCode;
}

function readProperty(data: unknown, property: string): unknown {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  return Object.hasOwn(data, property) ? (data as Record<string, unknown>)[property] : undefined;
}

const DECIMAL_STRING = /^-?\d+(\.\d+)?$/;

/**
 * A value as ingestion accepts it: a finite JSON number or a decimal string. Numbers are read
 * from their shortest round-trip text (String(0.1) is "0.1"), which is what the sender wrote.
 */
function numericValue(raw: unknown): Decimal | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? new Decimal(String(raw)) : undefined;
  if (typeof raw === 'string' && DECIMAL_STRING.test(raw)) return new Decimal(raw);
  return undefined;
}

/**
 * The later of two values by event time; equal times are decided by (source, id), the event's
 * identity, so the winner is the same whatever order events and parts arrive in.
 */
function later(current: LatestValue | undefined, candidate: LatestValue): LatestValue {
  if (current === undefined) return candidate;
  if (candidate.t !== current.t) return candidate.t > current.t ? candidate : current;
  if (candidate.source !== current.source) return candidate.source > current.source ? candidate : current;
  return candidate.id > current.id ? candidate : current;
}
