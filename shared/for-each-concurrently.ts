/** Runs `task` over `work` with at most `concurrency` tasks in flight (requests to one service). */
export async function forEachConcurrently<T>(work: readonly T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < work.length) {
      const item = work[next]!;
      next += 1;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, work.length) }, worker));
}
