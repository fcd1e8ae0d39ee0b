import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SimulatedClock } from '../../../src/main/clock';
import { CONFIG_FILE, loadConfigFile, resolveConfig, type Config } from '../../../src/main/config';
import { CommandError } from '../../../src/main/errors';
import { EnvSecretStore, type SecretStore } from '../../../src/main/secrets';
import { EncryptedSecretStore, SECRETS_FILE } from '../../../src/main/settings/encryptedSecretStore';
import { SettingsService, type RuntimeTargets } from '../../../src/main/settings/service';
import { AuditLog } from '../../../src/main/storage/auditLog';
import { openDatabase, type Db } from '../../../src/main/storage/db';
import { SettingsRepo } from '../../../src/main/storage/settingsRepo';
import type { SettingsView } from '../../../src/shared/domain';
import { testCrypto } from '../../helpers/testCrypto';
import { tempDir } from '../../helpers/tmp';

const HOOK = 'https://hooks.example.test/services/T000/B000/XXXXsecretXXXX';
const KEY = 'pk_live_0123456789abcdef';

let dir: string;
let cleanup: () => void;
let db: Db;
let config: Config;
let runtime: { [K in keyof RuntimeTargets]: ReturnType<typeof vi.fn> };
let emitted: SettingsView[];
let audit: AuditLog;

function service(secrets: SecretStore = new EnvSecretStore({}), env: Record<string, string> = {}) {
  return new SettingsService({
    config,
    host: secrets instanceof EnvSecretStore ? 'headless' : 'electron',
    clock: new SimulatedClock(1_700_000_000_000),
    db,
    audit,
    repo: new SettingsRepo(db),
    secrets,
    env,
    runtime: runtime as unknown as RuntimeTargets,
    emit: (v) => emitted.push(v),
  });
}

function errorOf(fn: () => unknown): CommandError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CommandError) return err;
    throw err;
  }
  throw new Error('expected a CommandError');
}

const configFile = () => path.join(dir, CONFIG_FILE);

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  config = resolveConfig({ flags: { dataDir: dir }, env: {} });
  db = openDatabase(dir);
  audit = new AuditLog(db);
  runtime = { risk: vi.fn(), signals: vi.fn(), kill: vi.fn(), alerts: vi.fn() };
  emitted = [];
});
afterEach(() => {
  db.close();
  cleanup();
});

describe('SettingsService', () => {
  it('refuses an invalid value with the field path and writes nothing', () => {
    const s = service();
    const view = s.view();
    const e = errorOf(() => s.update('risk', { ...view.risk, maxOrderQuantity: -5 }, 'ui-ws'));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toContain('risk.maxOrderQuantity');
    const unknown = errorOf(() => s.update('risk', { ...view.risk, bogus: 1 }, 'ui-ws'));
    expect(unknown.code).toBe('INVALID_INPUT');
    expect(fs.existsSync(configFile())).toBe(false);
    expect(audit.latest()).toEqual([]);
    expect(runtime.risk).not.toHaveBeenCalled();
  });

  it('applies risk limits at runtime, audits each changed field and mirrors them to the config file', () => {
    const s = service();
    const before = s.view().risk;
    const change = s.update('risk', { ...before, maxOrderQuantity: 250, dailyLossLimit: 1234 }, 'ui-ws');
    expect(change.applied).toBe('runtime');
    expect(change.changed.sort()).toEqual(['risk.dailyLossLimit', 'risk.maxOrderQuantity']);
    expect(runtime.risk).toHaveBeenCalledWith(expect.objectContaining({ maxOrderQuantity: 250, dailyLossLimit: 1234 }));
    expect(change.settings.risk.maxOrderQuantity).toBe(250);
    const rows = audit.latest().filter((r) => r.action === 'settings.update');
    expect(rows.map((r) => r.subject).sort()).toEqual(['risk.dailyLossLimit', 'risk.maxOrderQuantity']);
    const qty = rows.find((r) => r.subject === 'risk.maxOrderQuantity')!;
    expect(JSON.parse(qty.before!)).toEqual({ value: before.maxOrderQuantity });
    expect(JSON.parse(qty.after!)).toEqual({ value: 250 });
    expect(qty.surface).toBe('ui-ws');
    const file = loadConfigFile(configFile());
    expect(file.execution?.risk).toMatchObject({ maxOrderQuantity: 250, dailyLossLimit: 1234 });
    expect(new SettingsRepo(db).get('settings.risk')).toMatchObject({ maxOrderQuantity: 250 });
    expect(emitted).toHaveLength(1);
    // The mirror is what the next start reads.
    expect(resolveConfig({ flags: { dataDir: dir }, env: {} }).execution.risk.maxOrderQuantity).toBe(250);
  });

  it('saves unchanged values as a no-op', () => {
    const s = service();
    const change = s.update('signals', s.view().signals, 'ui-ws');
    expect(change.applied).toBe('none');
    expect(audit.latest()).toEqual([]);
    expect(fs.existsSync(configFile())).toBe(false);
  });

  it('applies thresholds and kill triggers at runtime; IB and providers need a restart', () => {
    const s = service();
    const v = s.view();
    const sig = s.update('signals', { ...v.signals, defaultThreshold: 0.7, thresholds: { NVDA: 0.8 } }, 'ui-ws');
    expect(sig.applied).toBe('runtime');
    expect(runtime.signals).toHaveBeenCalledWith(
      expect.objectContaining({ defaultThreshold: 0.7, thresholds: { NVDA: 0.8 } }),
    );
    const kill = s.update('kill', { ...v.kill, rejectStormCount: 3, haltOnDisconnect: false }, 'ui-ws');
    expect(kill.applied).toBe('runtime');
    expect(runtime.kill).toHaveBeenCalledWith(
      expect.objectContaining({ rejectStormCount: 3, haltOnDisconnect: false }),
    );

    const ib = s.update('ib', { ...v.ib, host: '10.0.0.5', port: 4001, account: 'DU123456' }, 'ui-ws');
    expect(ib.applied).toBe('restart');
    expect(ib.message).toMatch(/Restart/);
    expect(ib.settings.restartPending).toEqual(['ib']);
    const prov = s.update('providers', { plans: v.providers.plans, enabled: ['synthetic', 'yahoo'] }, 'ui-ws');
    expect(prov.applied).toBe('restart');
    expect(prov.settings.restartPending.sort()).toEqual(['ib', 'providers']);

    const file = loadConfigFile(configFile());
    expect(file.ib).toEqual({ host: '10.0.0.5', port: 4001, clientId: v.ib.clientId });
    expect(file.execution?.account).toBe('DU123456');
    expect(file.execution?.risk).toMatchObject({ rejectStormCount: 3 });
    expect(file.execution?.kill).toMatchObject({ haltOnDisconnect: false });
    expect(file.signals).toMatchObject({ defaultThreshold: 0.7, thresholds: { NVDA: 0.8 } });
    expect(file.marketdata?.providers).toEqual(['synthetic', 'yahoo']);
  });

  it('takes plan limits with null as no limit, and refuses a duplicate provider', () => {
    const s = service();
    const v = s.view();
    const plans = { ...v.providers.plans, yahoo: { perMinute: 30, perDay: null, costPerRequestUsd: 0.002 } };
    s.update('providers', { enabled: ['synthetic', 'yahoo'], plans }, 'ui-ws');
    expect(s.view().providers.plans.yahoo).toEqual({ perMinute: 30, perDay: null, costPerRequestUsd: 0.002 });
    expect(resolveConfig({ flags: { dataDir: dir }, env: {} }).marketdata.plans.yahoo?.perMinute).toBe(30);
    const dup = errorOf(() => s.update('providers', { enabled: ['yahoo', 'yahoo'], plans }, 'ui-ws'));
    expect(dup.message).toContain('providers.enabled');
    const neg = errorOf(() =>
      s.update(
        'providers',
        { enabled: ['yahoo'], plans: { yahoo: { perMinute: -1, perDay: 5, costPerRequestUsd: 0 } } },
        'ui-ws',
      ),
    );
    expect(neg.message).toContain('providers.plans.yahoo.perMinute');
  });

  it('keeps a hand-written config file: other fields survive, a broken file is not overwritten', () => {
    fs.writeFileSync(configFile(), JSON.stringify({ symbols: ['AAPL'], backfill: { maxAttempts: 3 } }));
    const s = service();
    s.update('risk', { ...s.view().risk, priceBandBps: 150 }, 'ui-ws');
    const file = loadConfigFile(configFile());
    expect(file.symbols).toEqual(['AAPL']);
    expect(file.backfill).toEqual({ maxAttempts: 3 });
    expect(file.execution?.risk?.priceBandBps).toBe(150);

    fs.writeFileSync(configFile(), '{ not json');
    const e = errorOf(() => s.update('risk', { ...s.view().risk, priceBandBps: 200 }, 'ui-ws'));
    expect(e.code).toBe('INVALID_STATE');
    expect(e.message).toContain('not valid JSON');
    expect(fs.readFileSync(configFile(), 'utf8')).toBe('{ not json');
    expect(s.view().risk.priceBandBps).toBe(150);
  });

  it('says when the environment will beat a saved value after a restart', () => {
    const s = service(new EnvSecretStore({}), { KESTREL_DAILY_LOSS_LIMIT: '900' });
    const change = s.update('risk', { ...s.view().risk, dailyLossLimit: 5000 }, 'ui-ws');
    expect(change.message).toContain('KESTREL_DAILY_LOSS_LIMIT');
  });

  it('never shows an alert channel URL back, keeps it by index and masks it in the audit log', () => {
    const s = service();
    const change = s.update('alerts', { channels: [{ type: 'slack', url: HOOK, minLevel: 'critical' }] }, 'ui-ws');
    expect(change.applied).toBe('runtime');
    expect(runtime.alerts).toHaveBeenCalledWith({ channels: [{ type: 'slack', url: HOOK, minLevel: 'critical' }] });
    expect(JSON.stringify(change.settings)).not.toContain('XXXXsecretXXXX');
    expect(change.settings.alerts.channels[0]).toMatchObject({
      type: 'slack',
      url: { set: true },
      minLevel: 'critical',
    });
    // Re-saved with `keep`: the URL stays, only the level changes.
    s.update('alerts', { channels: [{ type: 'slack', keep: 0, minLevel: 'warning' }] }, 'ui-ws');
    expect(loadConfigFile(configFile()).alerts?.channels?.[0]).toMatchObject({ url: HOOK, minLevel: 'warning' });
    const bad = errorOf(() => s.update('alerts', { channels: [{ type: 'slack', keep: 4 }] }, 'ui-ws'));
    expect(bad.message).toContain('alerts.channels.0.keep');
    const neither = errorOf(() => s.update('alerts', { channels: [{ type: 'slack' }] }, 'ui-ws'));
    expect(neither.message).toContain('alerts.channels.0.url');
    const rows = JSON.stringify(audit.latest());
    expect(rows).toContain('settings.update');
    expect(rows).not.toContain('XXXXsecretXXXX');
    expect(JSON.stringify(new SettingsRepo(db).get('settings.alerts'))).not.toContain('XXXXsecretXXXX');
  });

  it('refuses setKey in headless mode with how to set it instead', () => {
    const s = service(new EnvSecretStore({}));
    const e = errorOf(() => s.setKey('POLYGON_API_KEY', KEY, 'ui-ws'));
    expect(e.code).toBe('DENIED');
    expect(e.message).toBe('headless mode reads keys from the environment: set POLYGON_API_KEY and restart');
    expect(s.view().keysWritable).toBe(false);
    expect(s.view().keysNote).toMatch(/environment/);
  });

  it('stores a key encrypted, reports it as set/stored only, and audits set/unset', () => {
    const store = new EncryptedSecretStore(path.join(dir, SECRETS_FILE), testCrypto(), { FINNHUB_API_KEY: 'from-env' });
    const s = service(store);
    const change = s.setKey('POLYGON_API_KEY', KEY, 'ui-electron');
    expect(change.applied).toBe('restart');
    const polygon = change.settings.keys.find((k) => k.name === 'POLYGON_API_KEY');
    expect(polygon).toEqual({ name: 'POLYGON_API_KEY', set: true, source: 'stored' });
    expect(change.settings.keys.find((k) => k.name === 'FINNHUB_API_KEY')).toEqual({
      name: 'FINNHUB_API_KEY',
      set: true,
      source: 'env',
    });
    expect(JSON.stringify(change)).not.toContain(KEY);
    expect(fs.readFileSync(path.join(dir, SECRETS_FILE), 'utf8')).not.toContain(KEY);
    // A fresh store over the same file decrypts it: providers get the key.
    expect(new EncryptedSecretStore(path.join(dir, SECRETS_FILE), testCrypto(), {}).get('POLYGON_API_KEY')).toBe(KEY);
    const row = audit.latest().find((r) => r.action === 'settings.key')!;
    expect(row.subject).toBe('POLYGON_API_KEY');
    expect(JSON.parse(row.before!)).toEqual({ value: 'unset' });
    expect(JSON.parse(row.after!)).toEqual({ value: 'set (stored)' });
    expect(JSON.stringify(audit.latest())).not.toContain(KEY);

    // An enabled provider keeps its key: clearing it would strand the next start.
    s.update('providers', { plans: s.view().providers.plans, enabled: ['polygon', 'synthetic'] }, 'ui-electron');
    const refused = errorOf(() => s.clearKey('POLYGON_API_KEY', 'ui-electron'));
    expect(refused.code).toBe('DENIED');
    expect(refused.message).toContain('polygon is enabled');
    s.update('providers', { plans: s.view().providers.plans, enabled: ['synthetic'] }, 'ui-electron');
    const cleared = s.clearKey('POLYGON_API_KEY', 'ui-electron');
    expect(cleared.settings.keys.find((k) => k.name === 'POLYGON_API_KEY')?.set).toBe(false);
  });

  it('refuses a provider whose key is not set, naming the field', () => {
    const s = service();
    const e = errorOf(() =>
      s.update('providers', { plans: s.view().providers.plans, enabled: ['synthetic', 'polygon'] }, 'ui-ws'),
    );
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toBe('providers.enabled.1: polygon needs POLYGON_API_KEY; set it under Keys first');
  });

  it('refuses to store a key when the OS offers no encryption', () => {
    const s = service(new EncryptedSecretStore(path.join(dir, SECRETS_FILE), testCrypto(false), {}));
    const e = errorOf(() => s.setKey('POLYGON_API_KEY', KEY, 'ui-electron'));
    expect(e.code).toBe('UNAVAILABLE');
    expect(fs.existsSync(path.join(dir, SECRETS_FILE))).toBe(false);
  });
});
