/**
 * The Secrets test (issue 8): a key saved through settings, over the WebSocket contract, never shows
 * up in SQLite (db and WAL), the logs, /healthz, /metrics, kestrel.config.json, the contract's
 * answers and events, or `kestrel export`; yet the provider factory gets it. The engine runs with
 * the EncryptedSecretStore the Electron shell uses, over a test AES key instead of safeStorage.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/main/cli';
import { SimulatedClock, SystemClock } from '../../src/main/clock';
import { CONFIG_FILE, resolveConfig } from '../../src/main/config';
import { startHeadless, type HeadlessApp } from '../../src/main/headless';
import { createProviders } from '../../src/main/marketdata/providers';
import { createLogger } from '../../src/main/observability/logger';
import { EncryptedSecretStore, SECRETS_FILE } from '../../src/main/settings/encryptedSecretStore';
import { testCrypto } from '../helpers/testCrypto';
import { tempDir } from '../helpers/tmp';
import { WsContractClient } from '../helpers/wsContractClient';

const KEY = 'pk_SECRET_Zx81q7TTv0a9c3';
const ENCODINGS = [KEY, Buffer.from(KEY).toString('base64'), Buffer.from(KEY).toString('hex'), encodeURIComponent(KEY)];

let dir: string;
let cleanup: () => void;
let app: HeadlessApp;
let client: WsContractClient;

/** Every file under dir (recursively), with the bytes of each. */
function filesUnder(d: string): { file: string; bytes: Buffer }[] {
  return fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(d, e.name);
    if (e.isDirectory()) return filesUnder(p);
    return [{ file: p, bytes: fs.readFileSync(p) }];
  });
}

function expectClean(where: string, bytes: Buffer | string): void {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  for (const enc of ENCODINGS) {
    expect(buf.includes(Buffer.from(enc)), `${where} contains the key (${enc})`).toBe(false);
  }
}

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  const store = new EncryptedSecretStore(path.join(dir, SECRETS_FILE), testCrypto(), {});
  app = await startHeadless({
    config: resolveConfig({ flags: { dataDir: dir, port: 0 }, env: {} }),
    clock: new SystemClock(),
    log: createLogger(dir, 'trace'),
    rendererDir: path.resolve('out/renderer'),
    secrets: store,
  });
  client = await WsContractClient.connect(`ws://127.0.0.1:${app.port}/ws?token=${app.token}`);
});
afterAll(async () => {
  client?.ws.close();
  await app?.stop();
  cleanup?.();
});

describe('a key saved through settings', () => {
  it('is stored encrypted and never appears in storage, logs, health, metrics, the config file or exports', async () => {
    const saved = await client.call('setKey', { name: 'POLYGON_API_KEY', value: KEY });
    expect(saved.ok).toBe(true);
    expect(saved.result).toMatchObject({ section: 'keys', changed: ['keys.POLYGON_API_KEY'], applied: 'restart' });
    const status = (saved.result as { settings: { keys: { name: string; set: boolean; source: string }[] } }).settings
      .keys;
    expect(status.find((k) => k.name === 'POLYGON_API_KEY')).toEqual({
      name: 'POLYGON_API_KEY',
      set: true,
      source: 'stored',
    });
    // Other settings saved in the same session, so the config file and the audit log have content.
    const settings = await client.call('getSettings', {});
    const risk = (settings.result as { risk: Record<string, unknown> }).risk;
    expect((await client.call('updateSettings', { section: 'risk', values: { ...risk, priceBandBps: 321 } })).ok).toBe(
      true,
    );
    // A bad key value is refused without echoing it.
    const tooLong = await client.call('setKey', { name: 'FINNHUB_API_KEY', value: `${KEY}${'x'.repeat(5000)}` });
    expect(tooLong.ok).toBe(false);
    expectClean('the INVALID_INPUT answer', JSON.stringify(tooLong));

    for (const reply of [saved, settings, await client.call('getSnapshot', {})])
      expectClean('a reply', JSON.stringify(reply));
    expectClean('the events', JSON.stringify(client.events));
    expect(client.events.some((e) => e.event === 'settings')).toBe(true);

    const healthz = await fetch(`http://127.0.0.1:${app.port}/healthz`);
    expect(healthz.status).toBe(200);
    expectClean('/healthz', await healthz.text());
    const metrics = await fetch(`http://127.0.0.1:${app.port}/metrics`);
    expect(metrics.status).toBe(200);
    expectClean('/metrics', await metrics.text());

    // While the engine runs the latest writes sit in the WAL.
    const db = path.join(dir, 'kestrel.db');
    expect(fs.existsSync(`${db}-wal`)).toBe(true);
    for (const f of [db, `${db}-wal`]) expectClean(f, fs.readFileSync(f));
    const rows = app.engine.audit.latest().filter((r) => r.action === 'settings.key');
    expect(rows).toHaveLength(1);

    // The blob is there, encrypted.
    const secretsFile = fs.readFileSync(path.join(dir, SECRETS_FILE), 'utf8');
    expect(secretsFile).toContain('POLYGON_API_KEY');
    expectClean(SECRETS_FILE, secretsFile);

    await app.stop();

    const config = fs.readFileSync(path.join(dir, CONFIG_FILE), 'utf8');
    expect(config).toContain('"priceBandBps": 321');
    expectClean(CONFIG_FILE, config);

    // `kestrel export` of the bundled daily bars, and the doctor's report.
    const out = path.join(dir, 'export.csv');
    const logged: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logged.push(a.join(' ')));
    const spyErr = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void logged.push(a.join(' ')));
    try {
      expect(await main(['export', '--symbol', 'SPX', '--interval', '1d', '--out', out, '--data-dir', dir], {})).toBe(
        0,
      );
      await main(['doctor', '--data-dir', dir], {});
    } finally {
      spy.mockRestore();
      spyErr.mockRestore();
    }
    expect(fs.statSync(out).size).toBeGreaterThan(1000);
    expectClean('kestrel export and doctor output', logged.join('\n'));

    // Everything left in the data dir (db after checkpoint, logs, config, export) — except the encrypted blobs.
    const files = filesUnder(dir);
    expect(files.some((f) => f.file.endsWith(path.join('logs', 'kestrel.log')))).toBe(true);
    for (const f of files) expectClean(f.file, f.bytes);
  });

  it('is what the provider factory hands the provider', async () => {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'OK', results: [], resultsCount: 0 }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      // A fresh store over the same file, as the next start of the app builds it.
      const store = new EncryptedSecretStore(path.join(dir, SECRETS_FILE), testCrypto(), {});
      const [polygon] = createProviders({
        names: ['polygon'],
        urls: { 'polygon.rest': `http://127.0.0.1:${(server.address() as AddressInfo).port}` },
        secrets: store,
        clock: new SimulatedClock(1_700_000_000_000),
        syntheticSessions: 'nyse',
      });
      await polygon!.historicalBars!('NVDA', 1_699_900_000_000, 1_700_000_000_000, new AbortController().signal);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.some((u) => new URL(u, 'http://x').searchParams.get('apiKey') === KEY)).toBe(true);
      // And the default provider set picks polygon up once its key is stored.
      expect(resolveConfig({ flags: { dataDir: dir }, env: {}, secrets: store }).marketdata.providers).toEqual([
        'polygon',
      ]);
      expect(resolveConfig({ flags: { dataDir: dir }, env: {} }).marketdata.providers).toEqual(['synthetic']);
    } finally {
      server.close();
    }
  });
});
