/**
 * Installs a Debian package a test needs when it is missing (as root, as on CI), and fails
 * with a message saying what to do when that is not possible. apt-get can take a minute on a
 * cold machine: call from beforeAll.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';

export function ensureDebianPackage(pkg: string, present: () => boolean, provides: string): void {
  if (present()) return;
  const install = (): SpawnSyncReturns<string> => apt(['install', '-y', '--no-install-recommends', pkg]);
  let result = install();
  if (result.status !== 0) {
    // A fresh container has no package lists yet; fetch them and try once more.
    const update = apt(['update']);
    result = update.status === 0 ? install() : update;
  }
  if (result.status !== 0 || !present()) {
    const output = `${result.error?.message ?? ''}\n${result.stderr ?? ''}`.trim().split('\n').slice(-5).join('\n');
    throw new Error(
      `${provides} (Debian package ${pkg}) is missing and \`apt-get install -y ${pkg}\` failed; install ${pkg} and run the tests again.\n${output}`,
    );
  }
}

function apt(args: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync('apt-get', args, {
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 300_000,
  });
}
