/**
 * The contract over Electron IPC: one invoke channel for commands, one send channel for events.
 * Typed structurally so tests can drive it with a fake ipcMain in plain Node.
 */
import { IPC_COMMAND_CHANNEL, IPC_EVENT_CHANNEL, type ResponseFrame } from '../../shared/contract';
import type { ContractServer } from '../transport/server';

export interface SenderFrameLike {
  url: string;
  /** null for a top-level frame */
  parent: unknown;
}

export interface InvokeEventLike {
  senderFrame: SenderFrameLike | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface EventTarget {
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
}

export interface IpcTransportOptions {
  ipcMain: IpcMainLike;
  contract: ContractServer;
  /** Our own page's origin, e.g. app://kestrel. */
  isOwnOrigin: (url: string) => boolean;
  targets: () => EventTarget[];
}

/** Only our own page, in the top frame, may call the engine (VS Code's validateEvent, same idea). */
export function isTrustedSender(event: InvokeEventLike, isOwnOrigin: (url: string) => boolean): boolean {
  const frame = event.senderFrame;
  return !!frame && frame.parent === null && isOwnOrigin(frame.url);
}

export function attachIpcTransport({ ipcMain, contract, isOwnOrigin, targets }: IpcTransportOptions): () => void {
  ipcMain.handle(IPC_COMMAND_CHANNEL, async (event, frame): Promise<ResponseFrame> => {
    if (!isTrustedSender(event, isOwnOrigin)) {
      return { id: null, ok: false, error: { code: 'DENIED', message: 'IPC sender is not the Kestrel window' } };
    }
    return contract.dispatch(frame, { surface: 'ui-electron' });
  });
  const unsubscribe = contract.subscribe((frame) => {
    for (const t of targets()) if (!t.isDestroyed()) t.send(IPC_EVENT_CHANNEL, frame);
  });
  return () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_COMMAND_CHANNEL);
  };
}
