/**
 * The local counterpart of the stack's EventBridge Scheduler schedules: invokes each scheduled
 * handler at its times (UTC: every hour on the hour, or daily at an hour) with the same
 * `{ asOf }` input the cloud schedule sends.
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { schedules, type ScheduleDefinition } from '../resources.ts';
import { scheduledRunPayload } from '#formats/scheduler-events.ts';
import { localLambdaContext } from './lambda-context.ts';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The next firing strictly after `now`. */
export function nextFiring(every: ScheduleDefinition['every'], now: number): number {
  if (every.unit === 'hour') return Math.floor(now / HOUR_MS) * HOUR_MS + HOUR_MS;
  const today = Math.floor(now / DAY_MS) * DAY_MS + every.atHourUtc * HOUR_MS;
  return today > now ? today : today + DAY_MS;
}

export async function startLocalSchedules(
  region: string,
  onError: (functionId: string, error: unknown) => void,
): Promise<{ stop(): void }> {
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;
  for (const schedule of Object.values(schedules)) {
    const module = (await import(pathToFileURL(resolve(repoRoot, schedule.entry)).href)) as {
      handler: (event: unknown, context: unknown) => Promise<unknown>;
    };
    const fire = (at: number) => {
      if (stopped) return;
      module
        .handler(scheduledRunPayload(at), localLambdaContext({ ...schedule, functionName: schedule.functionId, region }))
        .catch((error: unknown) => onError(schedule.functionId, error));
    };
    const arm = () => {
      const next = nextFiring(schedule.every, Date.now());
      timers.push(
        setTimeout(() => {
          fire(next);
          arm();
        }, next - Date.now()),
      );
    };
    arm();
  }
  return {
    stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
    },
  };
}
