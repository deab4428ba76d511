/**
 * Another date for a whole process tree: Debian's libfaketime, preloaded through the
 * environment, so `npm start` (its handlers, pollers, schedules, SQS and S3), the shell, `date`,
 * curl and every `npx billflow` a test runs all see the same clock, shifted by a fixed offset
 * from the real one (it still advances). DynamoDB Local (Java) is left on the real clock
 * (FAKETIME_SKIP_CMDS): every time it stores was written by billflow's code, it enforces no TTL,
 * and under libfaketime the JVM ran ~10x slower here (116 s to start instead of 13, ingestion
 * stalled). Chosen over a clock variable of billflow's own: the README's
 * commands, `date` and Stripe's signing included, must run unchanged. Installs `faketime` with
 * apt-get when missing, as poppler.ts does for poppler-utils.
 */
import { existsSync } from 'node:fs';
import { ensureDebianPackage } from './debian-package.ts';

// The multi-threaded variant: Java and Node read the clock from several threads.
const LIBRARY_PATHS = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1', '/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1'];

function library(): string | undefined {
  return LIBRARY_PATHS.find((path) => existsSync(path));
}

export function ensureFaketime(): void {
  ensureDebianPackage('faketime', () => library() !== undefined, 'libfaketime');
}

/** Environment variables that make a process (and its children) see `at` now, advancing from there. */
export function clockAt(at: Date): NodeJS.ProcessEnv {
  const preload = library();
  if (preload === undefined) throw new Error('libfaketime is not installed: call ensureFaketime() first');
  const offsetSeconds = Math.round((at.getTime() - Date.now()) / 1000);
  return {
    LD_PRELOAD: preload,
    FAKETIME: `${offsetSeconds >= 0 ? '+' : ''}${offsetSeconds}`,
    // Timers and timeouts keep real time: faking the monotonic clock can hang the JVM.
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
    FAKETIME_SKIP_CMDS: 'java',
  };
}
