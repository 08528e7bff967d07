import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    // The JSON report is what .ci/run reads to print its `tests: N passed, N failed` line.
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-results.json' },
  },
});
