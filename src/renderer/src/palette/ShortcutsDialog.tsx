/** The list of keyboard shortcuts (`?`, or from the palette), rendered from SHORTCUTS. */
import { useEffect, useRef } from 'react';
import { useOverlay } from './overlayStore';
import { SHORTCUTS } from './shortcuts';

export function ShortcutsDialog() {
  const open = useOverlay((s) => s.open === 'shortcuts');
  const close = useOverlay((s) => s.close);
  const dialog = useRef<HTMLDialogElement>(null);
  const returnTo = useRef<HTMLElement | null>(null);

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) {
      returnTo.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      d.showModal();
    } else if (!open && d.open) d.close();
  }, [open]);

  return (
    <dialog
      ref={dialog}
      className="confirm shortcuts"
      aria-labelledby="shortcuts-title"
      onClose={() => {
        close();
        returnTo.current?.focus();
        returnTo.current = null;
      }}
    >
      <h2 id="shortcuts-title">Keyboard shortcuts</h2>
      <table className="grid shortcuts-table">
        <thead>
          <tr>
            <th scope="col">Keys</th>
            <th scope="col">Action</th>
            <th scope="col">Where</th>
          </tr>
        </thead>
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.id}>
              <td>
                <kbd>{s.keys}</kbd>
              </td>
              <td>{s.description}</td>
              <td className="muted">{s.scope}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">On macOS, Cmd works wherever Ctrl is listed.</p>
      <div className="dialog-actions">
        <button type="button" autoFocus onClick={() => dialog.current?.close()}>
          Close
        </button>
      </div>
    </dialog>
  );
}
