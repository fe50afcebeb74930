import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
    globalSetup: ['tests/global-setup.ts'],
    // Cheaper scrypt for new password hashes, except in the tests about hashing (see the file).
    setupFiles: ['tests/setup/cheap-scrypt.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Every core (Vitest's default leaves one free): many files wait on child processes, SQLite or timers.
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
