import { defineConfig } from 'vitest/config';
import path from 'node:path';

const alias = { '@': path.resolve(import.meta.dirname) };

// Three projects: fast unit tests, integration tests against real parts (run once per
// database dialect through GATEHOUSE_TEST_DIALECTS), and browser end-to-end tests.
export default defineConfig({
  resolve: { alias },
  test: {
    // Cheap password hashing in tests; production uses cost 11.
    env: { GATEHOUSE_BCRYPT_COST: '4' },
    // next-auth imports 'next/server' without an extension, which Node's ESM loader refuses.
    server: { deps: { inline: ['next-auth', '@auth/core'] } },
    reporters: ['default', './tests/support/summary-reporter.ts'],
    projects: [
      { extends: true, resolve: { alias }, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' } },
      {
        extends: true,
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 180_000,
          pool: 'forks',
          fileParallelism: false,
        },
      },
      {
        extends: true,
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 600_000,
          pool: 'forks',
          fileParallelism: false,
        },
      },
    ],
  },
});
