/**
 * Settings: a modal opened by the gear in the header or Ctrl/Cmd+, with one tab per section. Each
 * tab saves its section(s) through updateSettings; the engine validates, and an INVALID_INPUT names
 * the field path, shown inline under that field. Escape closes (the native dialog's cancel).
 */
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { SettingsChange, SettingsView } from '../../../shared/domain';
import { useApi } from '../apiContext';
import { AlertsTab } from '../settings/AlertsTab';
import { parseFieldErrors } from '../settings/fields';
import { KeysTab } from '../settings/KeysTab';
import { ProvidersTab } from '../settings/ProvidersTab';
import { IbTab, RiskTab, SignalsTab } from '../settings/sections';
import type { SaveSections } from '../settings/types';
import '../settings/settings.css';
import { useRegisterActions } from '../palette/useRegisterActions';

const TABS = [
  ['ib', 'IB'],
  ['providers', 'Providers'],
  ['keys', 'Keys'],
  ['risk', 'Risk'],
  ['signals', 'Signals'],
  ['alerts', 'Alerts'],
] as const;
type Tab = (typeof TABS)[number][0];

type Status = { kind: 'ok' | 'error'; text: string } | null;

export function SettingsDialog() {
  const { client } = useApi();
  const dialog = useRef<HTMLDialogElement>(null);
  const tabRefs = useRef<(HTMLButtonElement | null)[]>([]);
  const [view, setView] = useState<SettingsView | null>(null);
  /** Bumped on every open: the forms start again from the saved values. */
  const [generation, setGeneration] = useState(0);
  const [tab, setTab] = useState<Tab>('ib');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<Status>(null);
  const [busy, setBusy] = useState(false);

  const open = useCallback(() => {
    setErrors({});
    setStatus(null);
    if (!dialog.current?.open) dialog.current?.showModal();
    client.invoke('getSettings', {}).then(
      (v) => {
        setView(v);
        setGeneration((g) => g + 1);
      },
      (err: Error) => setStatus({ kind: 'error', text: `Settings not loaded: ${err.message}` }),
    );
  }, [client]);

  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key === ',') {
        e.preventDefault();
        open();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);

  const actions = useMemo(
    () => [
      {
        id: 'settings.open',
        group: 'Settings',
        title: 'Open settings',
        keywords: 'preferences config ib keys risk',
        run: open,
      },
    ],
    [open],
  );
  useRegisterActions('settings', actions);

  // Another window or a CLI may save too: keep the masked view current (drafts are left alone).
  useEffect(() => client.on('settings', (v) => setView(v)), [client]);

  const confirm = (c: SettingsChange, prefix = '') => {
    setView(c.settings);
    const what = c.changed.length > 0 ? ` Changed: ${c.changed.join(', ')}.` : '';
    setStatus({ kind: 'ok', text: `${prefix}${c.message}${what}` });
  };

  const save: SaveSections = async (parts) => {
    setBusy(true);
    setErrors({});
    setStatus(null);
    const notes: string[] = [];
    const changed: string[] = [];
    try {
      for (const [section, values] of parts) {
        const c = await client.invoke('updateSettings', { section, values });
        setView(c.settings);
        if (c.applied !== 'none') notes.push(c.message);
        changed.push(...c.changed);
      }
      setStatus({
        kind: 'ok',
        text:
          changed.length === 0
            ? 'No changes.'
            : `${[...new Set(notes)].join(' ')} Changed: ${changed.join(', ')}. Recorded in the audit log.`,
      });
      return true;
    } catch (err) {
      // By the message's paths, not instanceof: errors crossing Electron's contextBridge lose their class.
      const fields = parseFieldErrors((err as Error).message);
      if (Object.keys(fields).some((k) => k !== '')) {
        setErrors(fields);
        setStatus({ kind: 'error', text: 'Not saved: fix the highlighted fields.' });
      } else {
        setStatus({ kind: 'error', text: `Not saved: ${(err as Error).message}` });
      }
      return false;
    } finally {
      setBusy(false);
    }
  };

  const onTabKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = TABS.findIndex(([t]) => t === tab);
    const next = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : null;
    if (next === null) return;
    e.preventDefault();
    const j = (next + TABS.length) % TABS.length;
    setTab(TABS[j]![0]);
    tabRefs.current[j]?.focus();
  };

  const selectTab = (t: Tab) => {
    setTab(t);
    setErrors({});
    setStatus(null);
  };

  const props = view ? { view, errors, save, busy } : null;
  return (
    <>
      <button type="button" className="gear" aria-label="Settings (Ctrl+,)" title="Settings (Ctrl+,)" onClick={open}>
        ⚙
      </button>
      <dialog ref={dialog} className="settings" aria-labelledby="settings-title">
        <header className="settings-head">
          <h2 id="settings-title">Settings</h2>
          <button type="button" aria-label="Close settings" onClick={() => dialog.current?.close()}>
            ✕
          </button>
        </header>
        <div role="tablist" aria-label="Settings sections" className="settings-tabs" onKeyDown={onTabKey}>
          {TABS.map(([t, label], i) => (
            <button
              key={t}
              ref={(el) => {
                tabRefs.current[i] = el;
              }}
              type="button"
              role="tab"
              id={`settings-tab-${t}`}
              aria-selected={tab === t}
              aria-controls="settings-panel"
              tabIndex={tab === t ? 0 : -1}
              onClick={() => selectTab(t)}
            >
              {label}
              {view?.restartPending.includes(t as never) && (
                <span className="pending" title="restart needed">
                  {' '}
                  ↻
                </span>
              )}
            </button>
          ))}
        </div>
        <div role="tabpanel" id="settings-panel" aria-labelledby={`settings-tab-${tab}`} className="settings-panel">
          {!props && <p className="muted">Loading…</p>}
          {props && tab === 'ib' && <IbTab key={generation} {...props} />}
          {props && tab === 'providers' && <ProvidersTab key={generation} {...props} />}
          {props && tab === 'keys' && (
            <KeysTab
              view={props.view}
              onChanged={(c) => confirm(c)}
              onError={(m) => setStatus({ kind: 'error', text: `Not saved: ${m}` })}
            />
          )}
          {props && tab === 'risk' && <RiskTab key={generation} {...props} />}
          {props && tab === 'signals' && <SignalsTab key={generation} {...props} />}
          {props && tab === 'alerts' && <AlertsTab key={generation} {...props} />}
        </div>
        <footer className="settings-foot">
          {status && (
            <p className={`settings-status ${status.kind}`} role={status.kind === 'error' ? 'alert' : 'status'}>
              {status.kind === 'ok' ? '✓ ' : '✗ '}
              {status.text}
            </p>
          )}
          {view && (
            <p className="muted small">
              Mirrored to <code>{view.configFile}</code>
              {view.restartPending.length > 0 && ` · restart needed for: ${view.restartPending.join(', ')}`}
            </p>
          )}
        </footer>
      </dialog>
    </>
  );
}
