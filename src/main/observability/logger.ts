import path from 'node:path';
import pino, { type Logger } from 'pino';

export type { Logger };

/** Logs go to a file in the data dir so stdout stays for the one line the operator needs. */
export function createLogger(dataDir: string, level = process.env.KESTREL_LOG_LEVEL ?? 'info'): Logger {
  const dest = pino.destination({ dest: path.join(dataDir, 'logs', 'kestrel.log'), mkdir: true, sync: false });
  return pino(
    {
      level,
      base: { pid: process.pid },
      redact: { paths: ['*.apiKey', '*.secret', '*.token', 'token'], censor: '[redacted]' },
    },
    dest,
  );
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
