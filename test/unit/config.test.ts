import path from 'node:path';
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import {
  CONFIG_FILE,
  ConfigError,
  DEFAULT_PORT,
  loadConfigFile,
  platformDataDir,
  resolveConfig,
} from '../../src/main/config';
import { tempDir } from '../helpers/tmp';

describe('config', () => {
  it('takes the data dir from the flag, then the env, then the app, then the platform', () => {
    const env = { KESTREL_DATA_DIR: '/env/dir' };
    expect(resolveConfig({ flags: { dataDir: '/flag/dir' }, env, appDataDir: '/app' }).dataDir).toBe(
      path.resolve('/flag/dir'),
    );
    expect(resolveConfig({ flags: {}, env, appDataDir: '/app' }).dataDir).toBe(path.resolve('/env/dir'));
    expect(resolveConfig({ flags: {}, env: {}, appDataDir: '/app' }).dataDir).toBe(path.resolve('/app'));
    expect(resolveConfig({ flags: {}, env: { XDG_DATA_HOME: '/xdg' } }).dataDir).toBe(
      path.resolve(platformDataDir({ XDG_DATA_HOME: '/xdg' })),
    );
  });

  it('has platform defaults that mirror Electron userData', () => {
    expect(platformDataDir({ XDG_DATA_HOME: '/xdg' }, 'linux')).toBe(path.join('/xdg', 'kestrel'));
    expect(platformDataDir({ APPDATA: 'C:\\Users\\t\\AppData\\Roaming' }, 'win32')).toContain('Kestrel');
    expect(platformDataDir({}, 'darwin')).toContain(path.join('Library', 'Application Support', 'Kestrel'));
  });

  it('defaults to NVDA,MSFT and the fixed port, and reads symbols from flags or env', () => {
    const c = resolveConfig({ flags: { dataDir: '/d' }, env: {} });
    expect(c.symbols).toEqual(['NVDA', 'MSFT']);
    expect(c.port).toBe(DEFAULT_PORT);
    expect(resolveConfig({ flags: { dataDir: '/d' }, env: { KESTREL_SYMBOLS: 'aapl, spy' } }).symbols).toEqual([
      'AAPL',
      'SPY',
    ]);
    expect(
      resolveConfig({ flags: { dataDir: '/d', symbols: 'QQQ' }, env: { KESTREL_SYMBOLS: 'AAPL' } }).symbols,
    ).toEqual(['QQQ']);
  });

  it('refuses a bad port or symbol with a clear message', () => {
    expect(() => resolveConfig({ flags: { dataDir: '/d', port: 'abc' }, env: {} })).toThrow(ConfigError);
    expect(() => resolveConfig({ flags: { dataDir: '/d', port: '70000' }, env: {} })).toThrow(/port/);
    expect(() => resolveConfig({ flags: { dataDir: '/d', symbols: 'NV DA' }, env: {} })).toThrow(/symbols/);
  });
});

describe('config file', () => {
  it('is read from the data dir and loses to env and flags', () => {
    const t = tempDir();
    try {
      fs.writeFileSync(
        path.join(t.dir, CONFIG_FILE),
        JSON.stringify({
          symbols: ['SPY'],
          ib: { port: 7497 },
          marketdata: {
            providers: ['finnhub', 'synthetic'],
            urls: { 'finnhub.rest': 'http://127.0.0.1:9/finnhub' },
            allowlist: { SPY: ['synthetic'] },
          },
        }),
      );
      const c = resolveConfig({ flags: { dataDir: t.dir }, env: {} });
      expect(c.symbols).toEqual(['SPY']);
      expect(c.ib).toEqual({ host: '127.0.0.1', port: 7497, clientId: 17 });
      expect(c.marketdata.providers).toEqual(['finnhub', 'synthetic']);
      expect(c.marketdata.urls).toEqual({ 'finnhub.rest': 'http://127.0.0.1:9/finnhub' });
      expect(c.marketdata.allowlist).toEqual({ SPY: ['synthetic'] });
      const over = resolveConfig({
        flags: { dataDir: t.dir, ibPort: '4002' },
        env: { KESTREL_PROVIDERS: 'synthetic', KESTREL_FINNHUB_REST_URL: 'http://127.0.0.1:10/x' },
      });
      expect(over.ib.port).toBe(4002);
      expect(over.marketdata.providers).toEqual(['synthetic']);
      expect(over.marketdata.urls['finnhub.rest']).toBe('http://127.0.0.1:10/x');
    } finally {
      t.cleanup();
    }
  });

  it('refuses secrets, unknown fields and bad values, naming the field', () => {
    const t = tempDir();
    try {
      const file = path.join(t.dir, 'k.json');
      fs.writeFileSync(file, JSON.stringify({ marketdata: { apiKey: 'pk_123' } }));
      expect(() => loadConfigFile(file)).toThrow(/marketdata.*apiKey/);
      fs.writeFileSync(file, JSON.stringify({ ib: { port: 'four' } }));
      expect(() => loadConfigFile(file)).toThrow(/ib\.port/);
      fs.writeFileSync(file, '{ not json');
      expect(() => loadConfigFile(file)).toThrow(/not valid JSON/);
      expect(loadConfigFile(path.join(t.dir, 'missing.json'))).toEqual({});
    } finally {
      t.cleanup();
    }
  });
});
