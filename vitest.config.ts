import { readdirSync, readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

/**
 * Two projects: every test on the embedded store, and every test file that runs the whole
 * service (test/helpers/service.ts) once more on a Virtuoso 7 started on loopback for that file
 * (SYNDB_TEST_STORE=virtuoso): the same checks on both backends.
 */
const serviceTests = readdirSync('test')
  .filter((f) => f.endsWith('.test.ts') && readFileSync(`test/${f}`, 'utf8').includes('startTestService('))
  .map((f) => `test/${f}`);

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'embedded', include: ['test/**/*.test.ts'] } },
      { extends: true, test: { name: 'virtuoso', include: serviceTests, env: { SYNDB_TEST_STORE: 'virtuoso' } } },
    ],
  },
});
