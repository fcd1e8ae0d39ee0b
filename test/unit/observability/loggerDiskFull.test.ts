/**
 * Regression (chaos: storage faults): on a full disk the log file's write error was unhandled, the
 * engine crashed, and pino's exit hook then retried the write forever, so the process hung
 * instead of exiting. The log now drops lines while writes fail and never blocks in flushSync.
 */
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/main/observability/logger';
import { tempDir } from '../../helpers/tmp';

const canUseDevFull = fs.existsSync('/dev/full');
let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('logger on a full disk', () => {
  it.runIf(canUseDevFull)('keeps the process running and flushSync returns', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    fs.mkdirSync(path.join(t.dir, 'logs'));
    // /dev/full answers every write with ENOSPC, like a full filesystem.
    fs.symlinkSync('/dev/full', path.join(t.dir, 'logs', 'kestrel.log'));
    const errors: unknown[] = [];
    const onUncaught = (err: unknown): void => void errors.push(err);
    process.on('uncaughtException', onUncaught);
    const stderr: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (stderr.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      const log = createLogger(t.dir, 'info');
      for (let i = 0; i < 50; i++) log.info({ i }, 'a line the disk has no room for');
      await new Promise((r) => setTimeout(r, 300));
      for (let i = 0; i < 50; i++) log.info({ i }, 'and more');
      await new Promise((r) => setTimeout(r, 300));
      const stream = (log as unknown as Record<symbol, { flushSync: () => void }>)[pino.symbols.streamSym]!;
      stream.flushSync(); // hung forever before the fix
    } finally {
      process.stderr.write = write;
      process.off('uncaughtException', onUncaught);
    }
    expect(errors).toEqual([]);
    expect(stderr.join('')).toMatch(/cannot write the log file \(ENOSPC\)/);
  });
});
