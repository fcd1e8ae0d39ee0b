import type { SettingsSection, SettingsView } from '../../../shared/domain';

/** Saves one or more sections in order; false when the engine refused one (its errors are then shown). */
export type SaveSections = (parts: [SettingsSection, Record<string, unknown>][]) => Promise<boolean>;

export interface TabProps {
  view: SettingsView;
  errors: Record<string, string>;
  save: SaveSections;
  busy: boolean;
}
