/**
 * Headless Chromium for the document benchmark's comparison (HTML printed to PDF): Debian's
 * `chromium` package, driven by playwright-core. Playwright's own browser builds are never
 * downloaded (`npx playwright install` cannot work here); the system browser is used instead,
 * installed with apt-get when it is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Launch flags: headless, no sandbox (root in a container), and nothing that reaches the network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

/** Chromium is not installed and could not be installed; `message` says why. */
export class ChromiumUnavailableError extends Error {
  override readonly name = 'ChromiumUnavailableError';
}

/**
 * The path of Debian's Chromium: /usr/bin/chromium when present, otherwise installed with
 * `apt-get install -y chromium` (after `apt-get update` when the first attempt fails).
 * Throws ChromiumUnavailableError when neither works.
 */
export function ensureChromium(): string {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  console.error(`(${CHROMIUM_PATH} not found: installing Debian's chromium with apt-get, this takes a while)`);
  let attempt = aptGet(['install', '-y', 'chromium']);
  if (!attempt.ok) {
    const update = aptGet(['update']);
    if (!update.ok)
      throw new ChromiumUnavailableError(
        `apt-get install chromium failed (${attempt.detail}), and so did apt-get update (${update.detail})`,
      );
    attempt = aptGet(['install', '-y', 'chromium']);
  }
  if (!attempt.ok) throw new ChromiumUnavailableError(`apt-get install chromium failed: ${attempt.detail}`);
  if (!existsSync(CHROMIUM_PATH)) throw new ChromiumUnavailableError(`apt-get installed chromium, but ${CHROMIUM_PATH} is missing`);
  return CHROMIUM_PATH;
}

function aptGet(args: readonly string[]): { ok: boolean; detail: string } {
  const result = spawnSync('apt-get', args, {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 15 * 60 * 1000,
  });
  if (result.error !== undefined) return { ok: false, detail: result.error.message };
  if (result.status === 0) return { ok: true, detail: '' };
  const tail = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim().split('\n').slice(-3).join(' / ');
  return { ok: false, detail: `exit ${result.status ?? result.signal}: ${tail}` };
}
