/**
 * The settings service (docs/settings.md): getSettings with every secret masked, updateSettings
 * validated per section, audited per changed field, persisted, mirrored to kestrel.config.json and
 * applied to the running engine where the component allows it; setKey / clearKey through the
 * host's SecretStore (Electron safeStorage; refused in headless mode, which reads the environment).
 */
import path from 'node:path';
import type { z } from 'zod';
import {
  ProviderName,
  type KeyStatus,
  type SettingsChange,
  type SettingsSection,
  type SettingsView,
  type Surface,
} from '../../shared/domain';
import type { AlertChannelConfig } from '../alerts/config';
import { maskUrl } from '../alerts/http';
import type { Clock } from '../clock';
import { CONFIG_FILE, ConfigError, type Config } from '../config';
import { CommandError } from '../errors';
import { SECRET_NAMES, type SecretName, type SecretStore } from '../secrets';
import type { AuditLog } from '../storage/auditLog';
import type { Db } from '../storage/db';
import type { SettingsRepo } from '../storage/settingsRepo';
import { mergedConfigFile, writeConfigFile } from './mirror';
import { effectivePlan } from './plans';
import {
  APPLIES_AT_RUNTIME,
  ENV_OVERRIDES,
  SECTION_INPUT,
  valuesFromConfig,
  type AlertSettings,
  type KillSettings,
  type RiskSettings,
  type SettingsValues,
  type SignalSettings,
} from './schema';

/** Keys a provider cannot start without (src/main/marketdata/providers/index.ts). */
export const PROVIDER_KEYS: Partial<Record<ProviderName, readonly SecretName[]>> = {
  polygon: ['POLYGON_API_KEY'],
  alpaca: ['ALPACA_API_KEY_ID', 'ALPACA_API_SECRET_KEY'],
  finnhub: ['FINNHUB_API_KEY'],
  alphavantage: ['ALPHAVANTAGE_API_KEY'],
};

/** How the running engine takes a section without a restart. */
export interface RuntimeTargets {
  risk(values: RiskSettings): void;
  signals(values: SignalSettings): void;
  kill(values: KillSettings): void;
  alerts(values: AlertSettings): void;
}

export interface SettingsServiceDeps {
  config: Config;
  host: 'electron' | 'headless';
  clock: Clock;
  db: Db;
  audit: AuditLog;
  repo: SettingsRepo;
  secrets: SecretStore;
  /** The environment the engine started with: its KESTREL_* variables beat the config file. */
  env: Record<string, string | undefined>;
  runtime: RuntimeTargets;
  emit: (view: SettingsView) => void;
}

/** JSON with sorted keys, so equal values compare equal whatever their key order. */
function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : x,
  );
}

/** A channel as the UI and the audit log may see it: the URL is write-only. */
function maskChannel(c: AlertChannelConfig) {
  return {
    type: c.type,
    url: { set: true as const },
    target: maskUrl(c.url),
    minLevel: c.minLevel,
    kinds: c.kinds ?? null,
  };
}

function maskForAudit(section: SettingsSection, field: string, value: unknown): unknown {
  if (section === 'alerts' && field === 'channels') {
    return (value as AlertChannelConfig[]).map((c) => ({ ...maskChannel(c), url: 'set' }));
  }
  return value;
}

function invalid(section: string, issues: readonly z.core.$ZodIssue[]): CommandError {
  const text = issues
    .slice(0, 5)
    .map((i) => `${[section, ...i.path.map(String)].join('.')}: ${i.message}`)
    .join('; ');
  return new CommandError('INVALID_INPUT', text);
}

export class SettingsService {
  private values: SettingsValues;
  /** Sections saved since start that wait for a restart. */
  private readonly pending = new Set<SettingsSection>();
  private readonly configFile: string;

  constructor(private readonly deps: SettingsServiceDeps) {
    this.values = valuesFromConfig(deps.config);
    this.configFile = path.join(deps.config.dataDir, CONFIG_FILE);
  }

  view(): SettingsView {
    const v = this.values;
    const writable = typeof this.deps.secrets.set === 'function';
    return {
      host: this.deps.host,
      configFile: this.configFile,
      keysWritable: writable,
      keysNote: writable
        ? null
        : 'Headless mode reads keys from the environment: set them (e.g. POLYGON_API_KEY) before `kestrel serve`.',
      restartPending: [...this.pending],
      ib: { ...v.ib },
      providers: {
        enabled: [...v.providers.enabled],
        available: [...ProviderName.options],
        plans: Object.fromEntries(ProviderName.options.map((n) => [n, effectivePlan(n, v.providers.plans)])),
      },
      risk: { ...v.risk },
      signals: { ...v.signals, thresholds: { ...v.signals.thresholds } },
      kill: { ...v.kill },
      alerts: { channels: v.alerts.channels.map(maskChannel) },
      keys: SECRET_NAMES.map((name) => this.keyStatus(name)),
    };
  }

  /** Validates and saves one section; see the file comment for the order of effects. */
  update(section: SettingsSection, raw: unknown, surface: Surface): SettingsChange {
    const parsed = SECTION_INPUT[section].safeParse(raw);
    if (!parsed.success) throw invalid(section, parsed.error.issues);
    const next = this.resolve(section, parsed.data);
    const before = this.values[section] as Record<string, unknown>;
    const after = next as Record<string, unknown>;
    const fields = Object.keys(after).filter((k) => stableJson(before[k]) !== stableJson(after[k]));
    if (fields.length === 0) {
      return { section, changed: [], applied: 'none', message: 'No changes.', settings: this.view() };
    }

    // The file is checked before anything is written: a broken hand-edited file is not overwritten.
    let content;
    try {
      content = mergedConfigFile(this.configFile, section, next);
    } catch (err) {
      const why =
        err instanceof ConfigError ? `${err.message}; fix or remove it, then save again` : (err as Error).message;
      throw new CommandError('INVALID_STATE', why);
    }
    const now = this.deps.clock.now();
    const masked = Object.fromEntries(Object.entries(after).map(([k, x]) => [k, maskForAudit(section, k, x)]));
    try {
      // Audit rows, the saved section and the mirror file together: the file is written last, and
      // a failure there rolls the rows back, so the log never records a change that did not happen.
      this.deps.db.transaction(() => {
        for (const f of fields) {
          this.deps.audit.append({
            ts: now,
            surface,
            action: 'settings.update',
            subject: `${section}.${f}`,
            before: { value: maskForAudit(section, f, before[f]) },
            after: { value: maskForAudit(section, f, after[f]) },
            reason: 'saved in settings',
          });
        }
        this.deps.repo.set(`settings.${section}`, masked, now);
        writeConfigFile(this.configFile, content);
      })();
    } catch (err) {
      throw new CommandError('UNAVAILABLE', `settings not saved: ${(err as Error).message}`);
    }
    this.values = { ...this.values, [section]: next };

    let applied: SettingsChange['applied'] = 'restart';
    let message: string;
    if (APPLIES_AT_RUNTIME[section]) {
      try {
        this.applyNow(section);
        applied = 'runtime';
        message = 'Saved and applied now.';
      } catch (err) {
        this.pending.add(section);
        message = `Saved; applying it now failed (${(err as Error).message}), so it takes effect after a restart.`;
      }
    } else {
      this.pending.add(section);
      message = `Saved. Restart Kestrel to apply the ${section === 'ib' ? 'IB connection' : 'provider'} settings.`;
    }
    const overridden = fields
      .map((f) => ENV_OVERRIDES[`${section}.${f}`])
      .filter((name): name is string => name !== undefined && (this.deps.env[name] ?? '') !== '');
    if (overridden.length > 0) message += ` After a restart the environment (${overridden.join(', ')}) still wins.`;
    const change: SettingsChange = {
      section,
      changed: fields.map((f) => `${section}.${f}`),
      applied,
      message,
      settings: this.view(),
    };
    this.deps.emit(change.settings);
    return change;
  }

  /** Stores a key encrypted; never logged, audited as set/unset only. */
  setKey(name: SecretName, value: string, surface: Surface): SettingsChange {
    const store = this.deps.secrets;
    if (!store.set) {
      throw new CommandError(
        'DENIED',
        `${this.deps.host} mode reads keys from the environment: set ${name} and restart`,
      );
    }
    const before = this.keyStatus(name);
    try {
      store.set(name, value);
    } catch (err) {
      throw new CommandError('UNAVAILABLE', `${name} not saved: ${(err as Error).message}`);
    }
    return this.keyChanged(name, before, surface, 'key saved in settings');
  }

  clearKey(name: SecretName, surface: Surface): SettingsChange {
    const store = this.deps.secrets;
    if (!store.clear) {
      throw new CommandError('DENIED', `${this.deps.host} mode reads keys from the environment: unset ${name} there`);
    }
    const before = this.keyStatus(name);
    if (before.source === 'stored') {
      // Providers are built at start and refuse to start without their key: do not strand the next start.
      const needing = this.values.providers.enabled.filter((p) => PROVIDER_KEYS[p]?.includes(name));
      if (needing.length > 0) {
        throw new CommandError(
          'DENIED',
          `${needing.join(', ')} ${needing.length > 1 ? 'are' : 'is'} enabled and needs ${name}: disable it under Providers first`,
        );
      }
    }
    try {
      store.clear(name);
    } catch (err) {
      throw new CommandError('UNAVAILABLE', `${name} not cleared: ${(err as Error).message}`);
    }
    return this.keyChanged(name, before, surface, 'key cleared in settings');
  }

  private keyChanged(name: SecretName, before: KeyStatus, surface: Surface, reason: string): SettingsChange {
    const after = this.keyStatus(name);
    const stateOf = (k: KeyStatus) => (k.set ? `set (${k.source})` : 'unset');
    this.deps.audit.append({
      ts: this.deps.clock.now(),
      surface,
      action: 'settings.key',
      subject: name,
      before: { value: stateOf(before) },
      after: { value: stateOf(after) },
      reason,
    });
    let message = 'Saved, encrypted. Providers pick it up after a restart.';
    if (reason === 'key cleared in settings') {
      message = after.set ? `Stored key cleared; ${name} is still set in the environment.` : 'Cleared.';
    } else if (after.source === 'env') {
      message = `Saved, encrypted; the environment's ${name} still takes precedence.`;
    }
    const settings = this.view();
    this.deps.emit(settings);
    return { section: 'keys', changed: [`keys.${name}`], applied: 'restart', message, settings };
  }

  private keyStatus(name: SecretName): KeyStatus {
    const { secrets } = this.deps;
    const set = secrets.get(name) !== undefined;
    return { name, set, source: set ? (secrets.source?.(name) ?? 'env') : null };
  }

  /** Section-specific checks that need the current state: alert URLs kept by index, provider keys. */
  private resolve<S extends SettingsSection>(section: S, input: unknown): SettingsValues[S] {
    if (section === 'alerts') {
      const saved = this.values.alerts.channels;
      const channels = (input as z.infer<(typeof SECTION_INPUT)['alerts']>).channels.map((c, i) => {
        const { keep, url, ...rest } = c;
        const kept = keep === undefined ? undefined : saved[keep]?.url;
        if (url === undefined && kept === undefined) {
          throw new CommandError(
            'INVALID_INPUT',
            `alerts.channels.${i}.keep: no saved channel ${keep ?? '?'} to keep the URL of`,
          );
        }
        const channel: AlertChannelConfig = { ...rest, url: url ?? kept! };
        if (channel.kinds === undefined) delete channel.kinds;
        return channel;
      });
      return { channels } as SettingsValues[S];
    }
    if (section === 'providers') {
      const p = input as SettingsValues['providers'];
      p.enabled.forEach((name, i) => {
        const missing = (PROVIDER_KEYS[name] ?? []).filter((k) => this.deps.secrets.get(k) === undefined);
        if (missing.length > 0) {
          throw new CommandError(
            'INVALID_INPUT',
            `providers.enabled.${i}: ${name} needs ${missing.join(' and ')}; set ${missing.length > 1 ? 'them' : 'it'} under Keys first`,
          );
        }
      });
    }
    return input as SettingsValues[S];
  }

  private applyNow(section: SettingsSection): void {
    const { runtime } = this.deps;
    const v = this.values;
    if (section === 'risk') runtime.risk(v.risk);
    else if (section === 'signals') runtime.signals(v.signals);
    else if (section === 'kill') runtime.kill(v.kill);
    else if (section === 'alerts') runtime.alerts(v.alerts);
  }
}
