/**
 * Values stored as one gzip-compressed JSON document: event chunks and invoices. Write units
 * are charged per started KB of the whole item, and both repeat the same field names and
 * values, so compression is most of the saving (measured in `npm run bench`): a chunk costs a
 * fraction of a unit per event, and a typical invoice is ~2.8 KB of JSON (3 write units per
 * write, and it is written five times or more) but ~1.1 KB compressed (2). It also keeps
 * invoices with thousands of lines far below DynamoDB's 400 KB item limit.
 */
import { gunzipSync, gzipSync } from 'node:zlib';

export function gzipJson(value: unknown): Uint8Array {
  return gzipSync(JSON.stringify(value), { level: 6 });
}

/** The caller names the type it stored: the adapter that wrote the attribute reads it. */
export function gunzipJson<T>(payload: Uint8Array): T {
  return JSON.parse(gunzipSync(payload).toString('utf8')) as T;
}
