import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_PORT, platformDataDir, resolveConfig } from '../../src/main/config';

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
