/**
 * A chunk's events are stored as one gzip-compressed JSON array. Write units are charged per
 * started KB of item size, and usage events repeat the same field names and values, so
 * compression is most of the saving per event (measured in `npm run bench`).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { StoredEvent } from '../../domain/events/billable-event.ts';

export function encodeEvents(events: readonly StoredEvent[]): Uint8Array {
  return gzipSync(JSON.stringify(events), { level: 6 });
}

export function decodeEvents(payload: Uint8Array): StoredEvent[] {
  return JSON.parse(gunzipSync(payload).toString('utf8')) as StoredEvent[];
}
