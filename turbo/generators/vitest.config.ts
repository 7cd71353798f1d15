import { defineConfig } from 'vitest/config';

/** The generator test installs, builds and tests a whole package: it gets up to 15 minutes on a loaded machine. */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-result.json' },
    testTimeout: 900_000,
    hookTimeout: 900_000,
  },
});
