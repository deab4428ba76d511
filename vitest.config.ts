import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Vitest's default is one worker per core but one: on a 2-core CI machine, one file at a time,
    // over 15 minutes. The services files mostly wait (on the emulators, pollers, child `npm
    // start`s) and share no state (random prefixes, ports chosen free), so two run at once. Set
    // here for every project: Vitest refuses projects of one run with different maxWorkers.
    maxWorkers: 2,
    // Handlers log and emit EMF metrics to stdout in Lambda; in tests that is noise.
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
    projects: [
      {
        extends: true,
        // Pure code and in-memory fakes: no Java, no emulators (`npm run test:unit`, seconds).
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'] },
      },
      {
        extends: true,
        // The official e-invoice rules run in saxon-js: no services, but 20 s to minutes of CPU, so
        // kept out of the unit tier that developers run on every change.
        test: { name: 'einvoice', include: ['test/einvoice/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'services',
          include: ['test/**/*.test.ts'],
          exclude: ['test/unit/**', 'test/einvoice/**'],
          // One set of local AWS services for the whole run; each test file provisions its own
          // tables and queues with a random prefix (test/support/local-stack.ts).
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
