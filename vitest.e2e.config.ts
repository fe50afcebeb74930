import { defineConfig } from 'vitest/config';

/**
 * Browser tests (npm run test:e2e): real Chromium (/usr/bin/chromium) against the real app on 127.0.0.1.
 * The site is built first by the shared global setup. Each test file launches one browser and reuses it.
 */
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.test.ts'],
    globalSetup: ['tests/global-setup.ts'],
    // Cheaper scrypt for new password hashes, except in the tests about hashing (see the file).
    setupFiles: ['tests/setup/cheap-scrypt.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // As in vitest.config.ts: files share each worker's modules (each still starts its own browser and server).
    isolate: false,
    // Two cores: two browsers at a time.
    maxWorkers: 2,
  },
});
