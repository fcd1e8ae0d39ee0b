import path from 'node:path';
import pino, { type Logger } from 'pino';

export type { Logger };

/** Logs go to a file in the data dir so stdout stays for the one line the operator needs. */
export function createLogger(dataDir: string, level = process.env.KESTREL_LOG_LEVEL ?? 'info'): Logger {
  const dest = pino.destination({ dest: path.join(dataDir, 'logs', 'kestrel.log'), mkdir: true, sync: false });
  keepRunningOnLogFailure(dest);
  return pino(
    {
      level,
      base: { pid: process.pid },
      redact: { paths: ['*.apiKey', '*.secret', '*.token', 'token'], censor: '[redacted]' },
    },
    dest,
  );
}

/**
 * A full or read-only disk must not stop the engine through its log file: an unhandled write error
 * would crash it, and pino's exit hook (flushSync) retries a failing write forever, hanging the
 * exit. While writes fail, lines wait in memory and flushSync is skipped; a good write resumes both.
 */
export function keepRunningOnLogFailure(dest: ReturnType<typeof pino.destination>): void {
  let failing = false;
  const flushSync = dest.flushSync.bind(dest);
  dest.flushSync = () => {
    if (!failing) flushSync();
  };
  dest.on('error', (err: NodeJS.ErrnoException) => {
    if (!failing)
      process.stderr.write(
        `kestrel: cannot write the log file (${err.code ?? err.message}); log lines wait until it can\n`,
      );
    failing = true;
  });
  dest.on('write', () => {
    failing = false;
  });
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
