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
    // Test files share each worker's module graph instead of loading the app's modules again for every file
    // (that alone was half of the run). Files must not depend on fresh module state: each builds its own app,
    // database and clock, and setupFiles still run before every file.
    isolate: false,
    // Every core (Vitest's default leaves one free): many files wait on child processes, SQLite or timers.
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
