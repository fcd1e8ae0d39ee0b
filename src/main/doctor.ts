/** `kestrel doctor`: what an operator needs to know before calling anyone. Never prints a secret. */
import Database from 'better-sqlite3';
import net from 'node:net';
import path from 'node:path';
import { findElectronBinary } from './electronBinary';
import { DB_FILE } from './storage/db';
import { KESTREL_VERSION } from './version';

export const IB_PORTS = [
  { port: 4002, what: 'IB Gateway paper' },
  { port: 4001, what: 'IB Gateway live' },
  { port: 7497, what: 'TWS paper' },
  { port: 7496, what: 'TWS live' },
] as const;

export const PROVIDER_KEYS = [
  'POLYGON_API_KEY',
  'ALPHAVANTAGE_API_KEY',
  'FINNHUB_API_KEY',
  'ALPACA_API_KEY_ID',
  'ALPACA_API_SECRET_KEY',
] as const;

export function probePort(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function doctorReport(dataDir: string, env: Record<string, string | undefined>): Promise<string[]> {
  const electron = findElectronBinary();
  const sqlite = (new Database(':memory:').prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  const lines = [
    `kestrel      ${KESTREL_VERSION}`,
    `node         ${process.version} (${process.platform}/${process.arch})`,
    `sqlite       ${sqlite}`,
    `electron     ${electron.version ?? 'not installed'}; binary ${electron.path ? `present at ${electron.path}` : 'absent (npm start serves headless mode)'}`,
    `data dir     ${dataDir}`,
    `database     ${path.join(dataDir, DB_FILE)}`,
  ];
  const probes = await Promise.all(IB_PORTS.map(async (p) => ({ ...p, open: await probePort('127.0.0.1', p.port) })));
  for (const p of probes)
    lines.push(`ib port      127.0.0.1:${p.port} (${p.what}): ${p.open ? 'answers' : 'no answer'}`);
  for (const k of PROVIDER_KEYS) lines.push(`key          ${k}: ${env[k] ? 'set' : 'not set'}`);
  return lines;
}
