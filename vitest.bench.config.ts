import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

/**
 * `npm run bench`: each bench/*.bench.ts measures and prints its figures next to a named baseline
 * measured in the same run. Benchmarks print; they do not pass or fail on time (this box is noisy).
 */
export default defineConfig({
  define: { __KESTREL_VERSION__: JSON.stringify(version) },
  test: {
    include: ['bench/**/*.bench.ts'],
    testTimeout: 600_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: ['verbose'],
  },
});
