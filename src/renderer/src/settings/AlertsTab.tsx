/** Alert channels: add, remove, minimum level, test-send. URLs are write-only: a saved one is kept by index. */
import { useState } from 'react';
import type { AlertLevel } from '../../../shared/domain';
import { useApi } from '../apiContext';
import { errorFor } from './fields';
import type { TabProps } from './types';

type ChannelType = 'webhook' | 'slack' | 'discord';
interface Draft {
  type: ChannelType;
  minLevel: AlertLevel;
  /** Index of the saved channel whose URL is kept, or null for a new URL. */
  keep: number | null;
  target: string;
  url: string;
  kinds: string[] | null;
}

export function AlertsTab({ view, errors, save, busy }: TabProps) {
  const { client } = useApi();
  const [rows, setRows] = useState<Draft[]>(
    view.alerts.channels.map((c, i) => ({
      type: c.type,
      minLevel: c.minLevel,
      keep: i,
      target: c.target,
      url: '',
      kinds: c.kinds,
    })),
  );
  const [tests, setTests] = useState<Record<number, string>>({});
  const update = (i: number, patch: Partial<Draft>) =>
    setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const onSave = () =>
    void save([
      [
        'alerts',
        {
          channels: rows.map((r) => ({
            type: r.type,
            minLevel: r.minLevel,
            ...(r.kinds ? { kinds: r.kinds } : {}),
            ...(r.keep !== null && r.url.trim() === '' ? { keep: r.keep } : { url: r.url.trim() }),
          })),
        },
      ],
    ]);
  const test = async (index: number) => {
    setTests((t) => ({ ...t, [index]: 'sending…' }));
    try {
      const r = await client.invoke('testAlertChannel', { index });
      setTests((t) => ({
        ...t,
        [index]: r.ok ? `✓ delivered (HTTP ${r.status})` : `✗ ${r.error ?? `HTTP ${r.status}`}`,
      }));
    } catch (err) {
      setTests((t) => ({ ...t, [index]: `✗ ${(err as Error).message}` }));
    }
  };
  return (
    <form className="settings-form" onSubmit={(e) => e.preventDefault()}>
      <p className="settings-note">Channel URLs are secrets: they are never shown again. Changes apply at once.</p>
      {rows.length === 0 && <p className="muted">No channels.</p>}
      {rows.map((r, i) => {
        const base = `alerts.channels.${i}`;
        const urlError = errorFor(errors, `${base}.url`) ?? errorFor(errors, `${base}.keep`);
        return (
          <div className="settings-row channel" key={i}>
            <label>
              Type
              <select value={r.type} onChange={(e) => update(i, { type: e.target.value as ChannelType })}>
                <option value="webhook">Webhook (JSON)</option>
                <option value="slack">Slack</option>
                <option value="discord">Discord</option>
              </select>
            </label>
            <label className="grow">
              URL {r.keep !== null && <span className="badge set">● set: {r.target}</span>}
              <input
                type="password"
                autoComplete="off"
                aria-invalid={Boolean(urlError)}
                placeholder={r.keep !== null ? 'keep the saved URL, or paste a new one' : 'https://…'}
                value={r.url}
                onChange={(e) => update(i, { url: e.target.value })}
              />
              {urlError && (
                <span className="field-error" role="alert">
                  {urlError}
                </span>
              )}
            </label>
            <label>
              Min level
              <select value={r.minLevel} onChange={(e) => update(i, { minLevel: e.target.value as AlertLevel })}>
                <option value="info">info</option>
                <option value="warning">warning</option>
                <option value="critical">critical</option>
              </select>
            </label>
            <button
              type="button"
              disabled={r.keep === null || r.keep !== i}
              onClick={() => void test(i)}
              aria-label={`Test-send channel ${i + 1}`}
            >
              Test
            </button>
            <button
              type="button"
              onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}
              aria-label={`Remove channel ${i + 1}`}
            >
              Remove
            </button>
            {tests[i] && (
              <span className="test-result" role="status">
                {tests[i]}
              </span>
            )}
          </div>
        );
      })}
      <button
        type="button"
        onClick={() =>
          setRows((rs) => [
            ...rs,
            { type: 'webhook', minLevel: 'warning', keep: null, target: '', url: '', kinds: null },
          ])
        }
      >
        Add channel
      </button>
      <div className="settings-actions">
        <button type="submit" className="primary" disabled={busy} onClick={onSave}>
          {busy ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}
