/**
 * Which write shard an event belongs to. Every copy of an event (same source and id) lands in
 * the same shard, so duplicates always meet in one partition and can be removed when reading
 * one shard at a time, with memory bounded by that shard (docs/storage.md).
 */
import { eventKey, type StoredEvent } from './billable-event.ts';

export function shardOf(event: Pick<StoredEvent, 'source' | 'id'>, shardCount: number): number {
  // FNV-1a, 32 bit: stable across runtimes and versions, unlike any built-in hash.
  let hash = 0x811c9dc5;
  const key = eventKey(event);
  for (let index = 0; index < key.length; index += 1) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shardCount;
}
