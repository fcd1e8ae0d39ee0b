/**
 * The command palette (Ctrl/Cmd+K): a modal dialog with a combobox over a listbox of every action,
 * filtered as you type. ↑/↓/Home/End move, Enter runs, Escape closes; focus goes back to where it
 * was before the action runs, so an action that opens its own dialog (re-arm, flatten) keeps it.
 */
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useOverlay } from './overlayStore';
import { allActions, rankActions, useActionRegistry, type PaletteAction } from './registry';
import { shortcutForAction } from './shortcuts';
import './palette.css';

/** Sources in the order the empty palette lists them: safety first. */
export const SOURCE_ORDER = ['trading', 'symbols', 'chart', 'ticket', 'workspace', 'settings'];
const MAX_SHOWN = 80;

export function CommandPalette() {
  const open = useOverlay((s) => s.open === 'palette');
  const close = useOverlay((s) => s.close);
  const sources = useActionRegistry((s) => s.sources);
  const dialog = useRef<HTMLDialogElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const returnTo = useRef<HTMLElement | null>(null);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const base = useId();

  const ranked = useMemo(
    () => rankActions(allActions(sources, SOURCE_ORDER), query).slice(0, MAX_SHOWN),
    [sources, query],
  );
  const current = ranked[Math.min(active, ranked.length - 1)];

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) {
      returnTo.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      setQuery('');
      setActive(0);
      d.showModal();
      input.current?.focus();
    } else if (!open && d.open) {
      d.close();
    }
  }, [open]);

  useEffect(() => {
    list.current?.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [active, query]);

  function finish(action: PaletteAction | null) {
    close();
    dialog.current?.close();
    returnTo.current?.focus();
    returnTo.current = null;
    action?.run();
  }

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    const n = ranked.length;
    const move = (i: number) => {
      e.preventDefault();
      setActive(n === 0 ? 0 : (i + n) % n);
    };
    if (e.key === 'ArrowDown') move(active + 1);
    else if (e.key === 'ArrowUp') move(active - 1);
    else if (e.key === 'Home' && e.ctrlKey) move(0);
    else if (e.key === 'End' && e.ctrlKey) move(n - 1);
    else if (e.key === 'PageDown') move(Math.min(n - 1, active + 8));
    else if (e.key === 'PageUp') move(Math.max(0, active - 8));
    else if (e.key === 'Enter') {
      e.preventDefault();
      if (current) finish(current);
    }
  }

  const optionId = (i: number) => `${base}-opt-${i}`;
  return (
    <dialog
      ref={dialog}
      className="palette"
      aria-label="Command palette"
      onCancel={(e) => {
        e.preventDefault();
        finish(null);
      }}
      onClick={(e) => e.target === dialog.current && finish(null)}
    >
      {open && (
        <>
          <input
            ref={input}
            className="palette-input"
            role="combobox"
            aria-label="Command"
            aria-expanded="true"
            aria-controls={`${base}-list`}
            aria-autocomplete="list"
            aria-activedescendant={current ? optionId(ranked.indexOf(current)) : undefined}
            placeholder="Type a command: kill, shadow NVDA, chart 5m, light theme…"
            value={query}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => {
              setQuery(e.target.value);
              setActive(0);
            }}
            onKeyDown={onKeyDown}
          />
          <ul ref={list} id={`${base}-list`} role="listbox" aria-label="Actions" className="palette-list">
            {ranked.map((a, i) => {
              const keys = shortcutForAction(a.id);
              return (
                <li
                  key={a.id}
                  id={optionId(i)}
                  role="option"
                  aria-selected={a === current}
                  className="palette-option"
                  onMouseMove={() => setActive(i)}
                  onClick={() => finish(a)}
                >
                  <span className="palette-group">{a.group}</span>
                  <span className="palette-title">{a.title}</span>
                  {keys && <kbd className="palette-keys">{keys}</kbd>}
                </li>
              );
            })}
          </ul>
          {ranked.length === 0 && (
            <p className="palette-empty" role="status">
              No action matches “{query}”.
            </p>
          )}
          <p className="palette-hint muted">↑↓ move · Enter run · Esc close · ? all shortcuts</p>
        </>
      )}
    </dialog>
  );
}
