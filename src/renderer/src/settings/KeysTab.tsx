/** API keys: write-only. A key is typed, saved and never shown back; the badge says set or not and from where. */
import { useState } from 'react';
import type { SecretKeyName, SettingsChange } from '../../../shared/domain';
import { useApi } from '../apiContext';
import type { TabProps } from './types';

interface KeysTabProps extends Pick<TabProps, 'view'> {
  onChanged: (c: SettingsChange) => void;
  onError: (message: string) => void;
}

export function KeysTab({ view, onChanged, onError }: KeysTabProps) {
  const { client } = useApi();
  const [drafts, setDrafts] = useState<Partial<Record<SecretKeyName, string>>>({});
  const [busy, setBusy] = useState<SecretKeyName | null>(null);
  const run = async (name: SecretKeyName, call: () => Promise<SettingsChange>) => {
    setBusy(name);
    try {
      onChanged(await call());
      setDrafts((d) => ({ ...d, [name]: '' }));
    } catch (err) {
      onError((err as Error).message);
    } finally {
      setBusy(null);
    }
  };
  return (
    <div className="settings-form">
      {view.keysNote && <p className="settings-note warn">{view.keysNote}</p>}
      {view.keysWritable && (
        <p className="settings-note">
          Keys are encrypted by the operating system and never shown again. The environment wins over a stored key.
        </p>
      )}
      <table className="settings-table keys">
        <tbody>
          {view.keys.map((k) => {
            const draft = drafts[k.name] ?? '';
            return (
              <tr key={k.name}>
                <th scope="row">
                  <label htmlFor={`key-${k.name}`}>{k.name}</label>
                </th>
                <td>
                  <span className={`badge ${k.set ? 'set' : 'unset'}`} data-testid={`key-status-${k.name}`}>
                    {k.set ? `● set (${k.source})` : '○ not set'}
                  </span>
                </td>
                <td>
                  <input
                    id={`key-${k.name}`}
                    type="password"
                    autoComplete="new-password"
                    spellCheck={false}
                    disabled={!view.keysWritable}
                    placeholder={k.set ? 'replace…' : 'paste the key'}
                    value={draft}
                    onChange={(e) => setDrafts((d) => ({ ...d, [k.name]: e.target.value }))}
                  />
                </td>
                <td>
                  <button
                    type="button"
                    aria-label={`Save ${k.name}`}
                    disabled={!view.keysWritable || draft.trim() === '' || busy !== null}
                    onClick={() => void run(k.name, () => client.invoke('setKey', { name: k.name, value: draft }))}
                  >
                    Save
                  </button>
                  <button
                    type="button"
                    aria-label={`Clear ${k.name}`}
                    disabled={!view.keysWritable || k.source !== 'stored' || busy !== null}
                    onClick={() => void run(k.name, () => client.invoke('clearKey', { name: k.name }))}
                  >
                    Clear
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
