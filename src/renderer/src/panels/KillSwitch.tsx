/**
 * The kill switch: always visible, one press (or Ctrl/Cmd+Shift+K) halts trading. The engine
 * commits HALTED before it answers, so the state shown here is what SQLite holds. Re-arming needs
 * an explicit confirmation in a dialog.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useApi } from '../apiContext';
import { FlattenAll } from '../execution/FlattenAll';
import { KillProgressView } from '../execution/KillProgressView';
import { useApp } from '../store/appStore';
import { useRegisterActions } from '../palette/useRegisterActions';

export function KillSwitch() {
  const { client } = useApi();
  const state = useApp((s) => s.tradingState?.state);
  const setError = useApp((s) => s.setError);
  const applyTradingState = useApp((s) => s.applyTradingState);
  const [busy, setBusy] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);

  const engage = useCallback(async () => {
    setBusy(true);
    try {
      applyTradingState(await client.invoke('engageKillSwitch', { reason: 'kill switch pressed by the trader' }));
      setError(null);
    } catch (err) {
      setError(`Kill switch failed: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  }, [client, applyTradingState, setError]);

  const rearm = useCallback(async () => {
    dialog.current?.close();
    try {
      applyTradingState(
        await client.invoke('rearm', { confirm: true, reason: 're-armed by the trader after confirmation' }),
      );
      setError(null);
    } catch (err) {
      setError(`Re-arm refused: ${(err as Error).message}`);
    }
  }, [client, applyTradingState, setError]);

  // The palette runs the same engage, and opens the same re-arm confirmation.
  const actions = useMemo(
    () => [
      {
        id: 'kill.engage',
        group: 'Trading',
        title: 'Engage kill switch (halt all trading)',
        keywords: 'halt stop kill',
        run: () => void engage(),
      },
      ...(state === 'HALTED'
        ? [
            {
              id: 'kill.rearm',
              group: 'Trading',
              title: 'Re-arm trading…',
              keywords: 'resume active unhalt',
              run: () => dialog.current?.showModal(),
            },
          ]
        : []),
    ],
    [engage, state],
  );
  useRegisterActions('trading', actions);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.shiftKey && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        void engage();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [engage]);

  return (
    <div className="kill-area">
      <KillProgressView />
      <FlattenAll />
      {state === 'HALTED' && (
        <button type="button" className="rearm" onClick={() => dialog.current?.showModal()}>
          Re-arm
        </button>
      )}
      <button
        type="button"
        className="kill-switch"
        aria-label="Kill switch: halt all trading (Ctrl+Shift+K)"
        title="Halt all trading now (Ctrl/Cmd+Shift+K)"
        aria-keyshortcuts="Control+Shift+K Meta+Shift+K"
        disabled={busy}
        onClick={() => void engage()}
      >
        <span className="kill-icon" aria-hidden="true">
          ■
        </span>{' '}
        KILL SWITCH
      </button>
      <dialog ref={dialog} className="confirm" aria-labelledby="rearm-title">
        <h2 id="rearm-title">Re-arm trading?</h2>
        <p>Trading returns to ACTIVE. Live symbols may send orders again as soon as their signals pass.</p>
        <div className="dialog-actions">
          <button type="button" onClick={() => dialog.current?.close()} autoFocus>
            Stay halted
          </button>
          <button type="button" className="danger" onClick={() => void rearm()}>
            Confirm re-arm
          </button>
        </div>
      </dialog>
    </div>
  );
}
