/**
 * Key layout of the events table (docs/storage.md). Customer ids cannot contain '|'
 * (the catalog refuses them), so the parts split back unambiguously.
 */
export const chunkPartitionKey = (customerId: string, period: string, shard: number): string => `E|${customerId}|${period}|${shard}`;

/** Chunks sort by write time, so a period's on-time and late chunks are two key ranges. */
export const chunkSortKey = (ingestedAtIso: string, chunkId: string): string => `${ingestedAtIso}|${chunkId}`;

export function parseChunkPartitionKey(pk: string): { customerId: string; period: string; shard: number } | undefined {
  const parts = pk.split('|');
  if (parts.length !== 4 || parts[0] !== 'E') return undefined;
  return { customerId: parts[1]!, period: parts[2]!, shard: Number(parts[3]) };
}

export const rejectedPartitionKey = (period: string, shard: number): string => `R|${period}|${shard}`;

export const latePartitionKey = (customerId: string): string => `L|${customerId}`;
