/**
 * The README's "Try it" section, run as written: its fenced shell blocks, in order, in one
 * bash at the repository's root (`set -euo pipefail`, so any failing command fails the test),
 * against `npm start` in a child process, as a new user would type them. Three dates, each on
 * a fresh pipeline whose clock and the shell's (every `npx billflow`, `date`, `node` and curl)
 * are moved together with libfaketime: the start of a month, the middle of a past one, and
 * the end of a short one. So the README cannot hard-code a date, a port or an invoice number.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { startPipeline, type PipelineProcess } from './pipeline-process.ts';
import { clockAt, ensureFaketime } from '#test-support/faketime.ts';

const repoRoot = resolve(import.meta.dirname, '../..');

/** The fenced `sh` blocks of the README's "## Try it" section, in order. */
function tryItBlocks(): string[] {
  const readme = readFileSync(resolve(repoRoot, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Try it\n');
  const end = readme.indexOf('\n## ', start + 1);
  return [...readme.slice(start, end).matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

function runShell(script: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; transcript: string }> {
  // bash itself is not preloaded, only what it runs: libfaketime 0.9.10 makes the first process
  // that loads it own the shared clock state, and a `$(...)` subshell forked from that process
  // removes it when it exits; every later command then aborts ("sem_open failed", seen once in
  // four suite runs). Commands started by a plain bash each own their state, or share their
  // parent's, which outlives them.
  const { LD_PRELOAD: preload, ...shellEnv } = env;
  const exportPreload = preload === undefined ? '' : `export LD_PRELOAD='${preload}'\n`;
  return new Promise((resolveRun) => {
    const child = spawn('bash', ['-c', `set -euo pipefail\n${exportPreload}${script}`], {
      cwd: repoRoot,
      env: shellEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let transcript = '';
    child.stdout.on('data', (chunk: Buffer) => (transcript += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (transcript += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolveRun({ code, transcript });
    });
  });
}

const utc = (year: number, month: number, day: number, hour: number, minute: number) => new Date(Date.UTC(year, month, day, hour, minute));
const now = new Date();
const [year, month] = [now.getUTCFullYear(), now.getUTCMonth()];
const dates = [
  // 10 minutes into next month: the month has almost no usage yet.
  { name: 'the start of a month', at: utc(year, month + 1, 1, 0, 10) },
  // The middle of the month before last: a date in the past.
  { name: 'the middle of a past month', at: utc(year, month - 2, 15, 12, 10) },
  // 20 minutes before February ends next year (28 or 29 days): the end of a short month.
  { name: 'the end of a short month', at: utc(year + 1, 2, 0, 23, 40) },
];

let running: PipelineProcess | undefined;

beforeAll(() => {
  ensureFaketime();
});

afterEach(async () => {
  await running?.stop();
  running?.killGroup();
  if (running !== undefined) rmSync(running.home, { recursive: true, force: true });
  running = undefined;
}, 60_000);

describe('README "Try it"', () => {
  it('has three shell blocks to run', () => {
    expect(tryItBlocks()).toHaveLength(3);
  });

  for (const { name, at } of dates) {
    it(`runs as written on ${name} (${at.toISOString()})`, async () => {
      // Prepare: the pipeline and the shell on the same shifted clock.
      const clock = clockAt(at);
      running = await startPipeline({ env: clock });
      const period = at.toISOString().slice(0, 7);

      // Act
      const { code, transcript } = await runShell(
        tryItBlocks().join('\n'),
        { ...process.env, ...clock, BILLFLOW_OUTPUTS: running.outputsFile },
        360_000,
      );

      // Assess: every command succeeded, on the shifted date, and did what its comment says.
      expect(code, transcript).toBe(0);
      expect(transcript).toContain('plans[0].charges[2].tiers[1].upTo: must be greater than the previous tier');
      expect(transcript).toContain('refused: nothing written');
      expect(transcript).toMatch(/stored by the pipeline: received 1000 = accepted \d+ \+ duplicates \d+ \+ rejected 20\b/);
      expect(transcript).toMatch(/20 were rejected again for the same reasons/);
      expect(transcript).toContain(`${period} as of `);
      // Four customers of catalog.yaml and the XRechnung one of catalog-einvoice.yaml.
      expect(transcript).toMatch(/: 5 finalized, 0 drafts/);
      expect(transcript).toMatch(/wrote \/tmp\/invoice\.pdf \(\d+ bytes/);
      expect(transcript).toMatch(/resent ACME-\d{4}-\d{6} to ap@globex\.example/);
      expect(transcript).toMatch(/issued ACME-CN-\d{4}-000001 for ACME-\d{4}-\d{6}: [\d.]+ EUR \(balance\)/);
      expect(transcript).toMatch(/pi_2 +unmatched +\(ACME-0000-000000\).*there is no invoice ACME-0000-000000/);
      expect(transcript.match(/\{"received":true,"duplicate":false\}/g)).toHaveLength(2);
      // The payment matched by hand leaves cus_44's invoice partly paid: reminded 3 days after its due date.
      const matched = /applied pi_2 to (ACME-\d{4}-\d{6}): partially_paid/.exec(transcript)?.[1];
      expect(matched, transcript).toBeDefined();
      expect(transcript).toContain(`reminded ${matched} (day 3)`);
      expect(transcript).toMatch(/\d+ reminded, 0 failed/);
    }, 480_000);
  }
});
