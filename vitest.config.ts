import { defineConfig } from 'vitest/config'

// Tests run in forked processes, never threads: embedded ClickHouse (chDB) segfaults when loaded
// from two threads of one process, and binds one data directory per process.
export default defineConfig({
  test: {
    pool: 'forks',
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.chsync/test-results.json' }]] : ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/utils/global-setup.ts'],
          setupFiles: ['test/utils/load-services-env.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          exclude: ['test/e2e/faults/**'],
          globalSetup: ['test/utils/global-setup.ts'],
          setupFiles: ['test/utils/load-services-env.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          // One e2e file at a time: they start workers and kill processes on the shared services.
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'faults',
          include: ['test/e2e/faults/**/*.test.ts'],
          globalSetup: ['test/utils/global-setup.ts', 'test/utils/faults-report.ts'],
          setupFiles: ['test/utils/load-services-env.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          // One scenario file at a time: they kill workers and stop services.
          fileParallelism: false,
        },
      },
    ],
  },
})
