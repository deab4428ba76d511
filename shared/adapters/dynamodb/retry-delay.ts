/** Delays between retries of what DynamoDB left unprocessed or refused under contention. */

/** Exponential with jitter, capped at a second: throttled partitions recover in that range. */
export function backoffMs(baseMs: number, attempt: number): number {
  const ceiling = Math.min(1000, baseMs * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
