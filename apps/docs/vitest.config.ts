import { defineConfig } from 'vitest/config';

// The browser tests run one after another against one server and one Chromium.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-result.json' },
    testTimeout: 180_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
});
