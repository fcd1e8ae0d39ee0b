/**
 * kestrel.config.json mirrors the saved settings, for headless runs and for sharing with the team.
 * A save merges one section into the file as it is (hand-written fields survive), checks the result
 * against the strict ConfigFile schema and replaces the file atomically. Keys never go here.
 */
import type { SettingsSection } from '../../shared/domain';
import { writeFileAtomic } from '../commands/atomicFile';
import { ConfigFile, loadConfigFile } from '../config';
import type { SettingsValues } from './schema';

/** The file's fields for one section. */
function fragment<S extends SettingsSection>(section: S, v: SettingsValues[S], file: ConfigFile): ConfigFile {
  const ex = file.execution ?? {};
  switch (section) {
    case 'ib': {
      const { account, ...ib } = v as SettingsValues['ib'];
      return { ib, execution: { ...ex, account } };
    }
    case 'providers': {
      const p = v as SettingsValues['providers'];
      return { marketdata: { ...file.marketdata, providers: p.enabled, plans: p.plans } };
    }
    case 'risk':
      return { execution: { ...ex, risk: { ...ex.risk, ...(v as SettingsValues['risk']) } } };
    case 'kill': {
      const { rejectStormCount, rejectStormWindowMs, ...kill } = v as SettingsValues['kill'];
      return {
        execution: {
          ...ex,
          risk: { ...ex.risk, rejectStormCount, rejectStormWindowMs },
          kill: { ...ex.kill, ...kill },
        },
      };
    }
    case 'signals':
      return { signals: { ...file.signals, ...(v as SettingsValues['signals']) } };
    case 'alerts':
      return { alerts: { ...file.alerts, channels: (v as SettingsValues['alerts']).channels } };
  }
  throw new Error(`unknown settings section ${String(section)}`);
}

/**
 * The file with the section merged in. Throws ConfigError when the file on disk is not a valid
 * config (it is then left alone rather than overwritten), and an Error if the merge were invalid.
 */
export function mergedConfigFile<S extends SettingsSection>(
  file: string,
  section: S,
  values: SettingsValues[S],
): ConfigFile {
  const current = loadConfigFile(file);
  const merged = ConfigFile.safeParse({ ...current, ...fragment(section, values, current) });
  if (!merged.success) {
    const problems = merged.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`the merged ${section} settings do not fit kestrel.config.json: ${problems}`);
  }
  return merged.data;
}

export function writeConfigFile(file: string, content: ConfigFile): void {
  writeFileAtomic(file, `${JSON.stringify(content, null, 2)}\n`);
}
