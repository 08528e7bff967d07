import { defineConfig } from 'vitest/config';

/**
 * Three tiers (docs/testing.md): `unit` (in-process: parsers, metrics, engine, report pieces; a
 * developer's answer in well under a minute), `cli` (the built CLI run as a child process on small
 * inputs), `system` (whole runs on the example, the browser, the bench harness, the workflow and
 * container checks). `npm test` runs all three, which is what CI runs.
 */
const SYSTEM = ['test/e2e/**/*.test.ts', 'test/browser/**/*.test.ts', 'test/bench/**/*.test.ts', 'test/workflows/**/*.test.ts', 'test/cli/large-n.test.ts'];
const CLI = ['test/cli/**/*.test.ts', 'test/engine/cli-engine.test.ts', 'test/engine/backend-auto.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 300_000,
    // The JSON report is what .ci/run reads to print its `tests: N passed, N failed` line.
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-results.json' },
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...CLI, ...SYSTEM] } },
      { extends: true, test: { name: 'cli', include: CLI, exclude: SYSTEM } },
      { extends: true, test: { name: 'system', include: SYSTEM } },
    ],
  },
});
