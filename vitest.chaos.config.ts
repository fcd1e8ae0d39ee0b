import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

/**
 * `npm run chaos`: the full fault-injection suite (test/chaos/full.chaos.ts), one scenario after
 * another (they kill processes and fill disks; sharing the two cores would only blur the figures).
 * It writes docs/reliability.md.
 */
export default defineConfig({
  define: { __KESTREL_VERSION__: JSON.stringify(version) },
  test: {
    include: ['test/chaos/**/*.chaos.ts'],
    testTimeout: 3_600_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: ['verbose'],
  },
});
