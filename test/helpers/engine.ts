import path from 'node:path';
import { SystemClock } from '../../src/main/clock';
import { resolveConfig } from '../../src/main/config';
import { startHeadless, type HeadlessApp } from '../../src/main/headless';
import { silentLogger } from '../../src/main/observability/logger';

/** The real headless app in this process, on a random port and the given data dir. */
export function startTestHeadless(dataDir: string): Promise<HeadlessApp> {
  const config = resolveConfig({ flags: { dataDir, port: 0 }, env: {} });
  return startHeadless({
    config,
    clock: new SystemClock(),
    log: silentLogger(),
    rendererDir: path.resolve('out/renderer'),
  });
}
