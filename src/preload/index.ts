/**
 * Exposes exactly one typed client as window.kestrel over two fixed channels. No ipcRenderer,
 * no Node: the renderer cannot reach anything the contract does not name.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createKestrelClient } from '../shared/client';
import type { EventFrame, ResponseFrame } from '../shared/contract';
import { IPC_COMMAND_CHANNEL, IPC_EVENT_CHANNEL } from '../shared/errors';

const client = createKestrelClient({
  request: (frame) => ipcRenderer.invoke(IPC_COMMAND_CHANNEL, frame) as Promise<ResponseFrame>,
  onEvent: (listener) => {
    const wrapped = (_e: unknown, frame: EventFrame) => listener(frame);
    ipcRenderer.on(IPC_EVENT_CHANNEL, wrapped);
    return () => ipcRenderer.off(IPC_EVENT_CHANNEL, wrapped);
  },
});

contextBridge.exposeInMainWorld('kestrel', { invoke: client.invoke, on: client.on });
