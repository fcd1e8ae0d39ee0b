import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runKestrel, startServe, type ServeProcess } from '../helpers/serveProcess';
import { tempDir } from '../helpers/tmp';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function dir(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

async function serve(dataDir: string): Promise<ServeProcess> {
  const p = await startServe(dataDir);
  cleanups.push(() => p.stop());
  return p;
}

describe('kestrel CLI (built, as a child process)', () => {
  it('serve prints one URL line with the token, and /healthz answers', async () => {
    const p = await serve(dir());
    const lines = p.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Kestrel headless on http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,} /);
    const health = (await (await fetch(`${p.origin}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', tradingState: 'ACTIVE' });
  });

  it('shuts down gracefully on SIGTERM: exit 0, WAL checkpointed, DB closed', async () => {
    const d = dir();
    const p = await startServe(d);
    const code = await p.stop();
    expect(code, p.output()).toBe(0);
    const wal = path.join(d, 'kestrel.db-wal');
    expect(!fs.existsSync(wal) || fs.statSync(wal).size === 0).toBe(true);
    expect(fs.existsSync(path.join(d, 'kestrel.db'))).toBe(true);
  });

  it('exits non-zero with a clear message when the data dir cannot be written', async () => {
    const d = dir();
    const file = path.join(d, 'a-file');
    fs.writeFileSync(file, '');
    const r = await runKestrel(['serve', '--port', '0', '--data-dir', path.join(file, 'data')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/data dir .* is not writable \(ENOTDIR\)/);
  });

  it('says so when the port is taken', async () => {
    const p = await serve(dir());
    const r = await runKestrel(['serve', '--port', String(p.port), '--data-dir', dir()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/port is already in use/);
  });

  it('doctor reports versions, data dir, IB ports and which keys are set, never their values', async () => {
    const d = dir();
    const r = await runKestrel(['doctor', '--data-dir', d], {
      POLYGON_API_KEY: 'pk_live_SECRET_123',
      FINNHUB_API_KEY: '',
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`data dir     ${d}`);
    expect(r.stdout).toMatch(/electron +\d+\.\d+\.\d+; binary (present|absent)/);
    for (const port of [4002, 4001, 7497, 7496])
      expect(r.stdout).toMatch(new RegExp(`127\\.0\\.0\\.1:${port} .*: (answers|no answer)`));
    expect(r.stdout).toContain('POLYGON_API_KEY: set');
    expect(r.stdout).toContain('FINNHUB_API_KEY: not set');
    expect(r.stdout).not.toContain('SECRET_123');
  });

  it('rejects unknown commands and flags with usage and exit 2', async () => {
    expect((await runKestrel(['fly'])).code).toBe(2);
    const r = await runKestrel(['serve', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/usage: kestrel/);
  });
});

describe('kestrel features', () => {
  const fixtures = path.resolve('..', 'shared', 'fixtures', 'features');

  it('reproduces the pandas reference file row for row, within 1e-9', async () => {
    const out = path.join(dir(), 'features.csv');
    const r = await runKestrel(['features', '--in', path.join(fixtures, 'bars-seed7.csv'), '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const ours = fs.readFileSync(out, 'utf8').trim().split('\n');
    const ref = fs.readFileSync(path.join(fixtures, 'features-seed7.csv'), 'utf8').trim().split('\n');
    expect(ours[0]).toBe(ref[0]);
    expect(ours).toHaveLength(ref.length);
    let worst = 0;
    for (let i = 1; i < ref.length; i++) {
      const a = ours[i]!.split(',').map(Number);
      const b = ref[i]!.split(',').map(Number);
      for (let j = 0; j < b.length; j++) worst = Math.max(worst, Math.abs(a[j]! - b[j]!) - 1e-9 * Math.abs(b[j]!));
    }
    expect(worst).toBeLessThanOrEqual(1e-9);
  });

  it('rejects a corrupt file with row numbers and writes nothing', async () => {
    const d = dir();
    const bad = path.join(d, 'bad.csv');
    fs.writeFileSync(
      bad,
      'ts_ms,open,high,low,close,volume\n1741012200000,107,107.01,106.99,107,100\n1741012260000,107,abc,106.9,107,100\n',
    );
    const out = path.join(d, 'out.csv');
    const r = await runKestrel(['features', '--in', bad, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/row 3/);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('kestrel config validate', () => {
  it('accepts a good file and names the field in a bad one', async () => {
    const d = dir();
    const good = path.join(d, 'good.json');
    fs.writeFileSync(good, JSON.stringify({ symbols: ['NVDA'], marketdata: { routing: 'quality' } }));
    const ok = await runKestrel(['config', 'validate', good]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('is a valid Kestrel config');
    const bad = path.join(d, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ marketdata: { routing: 'fastest' } }));
    const r = await runKestrel(['config', 'validate', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/marketdata\.routing/);
  });
});

describe('kestrel import and export', () => {
  // Three regular-session minutes on Monday 2025-03-03 (14:30Z is 09:30 New York).
  const GOOD =
    'ts_ms,open,high,low,close,volume\n' +
    '1741012200000,100,101,99.5,100.5,1200\n' +
    '1741012260000,100.5,101.2,100.1,101,900\n' +
    '1741012320000,101,101.5,100.8,101.4,1500\n';

  it('round-trips bars through the data dir: import, then export of a range', async () => {
    const d = dir();
    const data = path.join(d, 'data');
    const csv = path.join(d, 'nvda.csv');
    fs.writeFileSync(csv, GOOD);
    const imp = await runKestrel(['import', '--csv', csv, '--symbol', 'nvda', '--data-dir', data]);
    expect(imp.stderr).toBe('');
    expect(imp.code).toBe(0);
    expect(imp.stdout).toMatch(/imported 3 1m bars of NVDA .* 0 replaced/);

    const out = path.join(d, 'out.csv');
    const exp = await runKestrel([
      'export',
      '--symbol',
      'NVDA',
      '--from',
      '2025-03-03T14:31:00Z',
      '--to',
      '1741012380000',
      '--out',
      out,
      '--data-dir',
      data,
    ]);
    expect(exp.code).toBe(0);
    expect(exp.stdout).toContain('wrote 2 1m bars of NVDA');
    expect(fs.readFileSync(out, 'utf8').trim().split('\n')).toEqual([
      'ts_ms,open,high,low,close,volume,vwap,trades,provider,status',
      '1741012260000,100.5,101.2,100.1,101,900,,,import,backfilled',
      '1741012320000,101,101.5,100.8,101.4,1500,,,import,backfilled',
    ]);

    // Importing the export again replaces the same bars rather than duplicating them.
    const again = await runKestrel(['import', '--csv', out, '--symbol', 'NVDA', '--data-dir', data]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/imported 2 1m bars of NVDA .* 2 replaced/);
  });

  it('rejects a file with one bad row, names the rows, and imports nothing', async () => {
    const d = dir();
    const data = path.join(d, 'data');
    const csv = path.join(d, 'bad.csv');
    fs.writeFileSync(csv, GOOD + '1741012380000,101,100,102,101,10\n1741012440000,101,102,100,101,-5\n');
    const r = await runKestrel(['import', '--csv', csv, '--symbol', 'NVDA', '--data-dir', data]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nothing was written');
    expect(r.stderr).toMatch(/row 5/);
    expect(r.stderr).toMatch(/row 6/);
    const out = path.join(d, 'out.csv');
    const exp = await runKestrel(['export', '--symbol', 'NVDA', '--out', out, '--data-dir', data]);
    expect(exp.code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe('ts_ms,open,high,low,close,volume,vwap,trades,provider,status\n');
  });

  it('answers usage errors with exit code 2 and a clear message', async () => {
    const d = dir();
    const noCsv = await runKestrel(['import', '--symbol', 'NVDA', '--data-dir', d]);
    expect(noCsv.code).toBe(2);
    expect(noCsv.stderr).toContain('import needs --csv FILE');
    const badInterval = await runKestrel(['import', '--csv', 'x.csv', '--interval', '5m', '--data-dir', d]);
    expect(badInterval.code).toBe(2);
    expect(badInterval.stderr).toContain('--interval must be 1m or 1d');
    const badFrom = await runKestrel([
      'export',
      '--symbol',
      'NVDA',
      '--from',
      'yesterday',
      '--out',
      'x',
      '--data-dir',
      d,
    ]);
    expect(badFrom.code).toBe(2);
    expect(badFrom.stderr).toMatch(/--from: timestamp "yesterday" is not ISO-8601/);
  });
});
