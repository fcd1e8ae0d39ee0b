import { afterEach, describe, expect, it } from 'vitest';
import { IPC_COMMAND_CHANNEL, IPC_EVENT_CHANNEL } from '../../src/shared/contract';
import { SystemClock } from '../../src/main/clock';
import { resolveConfig } from '../../src/main/config';
import { attachIpcTransport, type InvokeEventLike, type IpcMainLike } from '../../src/main/electron/ipcTransport';
import { Engine } from '../../src/main/engine';
import { silentLogger } from '../../src/main/observability/logger';
import { tempDir } from '../helpers/tmp';

/** Stands in for Electron's ipcMain: same handle/removeHandler shape, invoked directly. */
class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>>();
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  invoke(event: InvokeEventLike, frame: unknown): Promise<unknown> {
    const h = this.handlers.get(IPC_COMMAND_CHANNEL);
    if (!h) throw new Error('no handler');
    return h(event, frame);
  }
}

const OWN = { senderFrame: { url: 'app://kestrel/index.html', parent: null } };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup() {
  const t = tempDir();
  const engine = new Engine({
    config: resolveConfig({ flags: { dataDir: t.dir }, env: {} }),
    clock: new SystemClock(),
    log: silentLogger(),
    host: 'electron',
  });
  const ipc = new FakeIpcMain();
  const sent: { channel: string; payload: unknown }[] = [];
  const target = {
    destroyed: false,
    send: (channel: string, payload: unknown) => sent.push({ channel, payload }),
    isDestroyed: () => target.destroyed,
  };
  const detach = attachIpcTransport({
    ipcMain: ipc,
    contract: engine.server,
    isOwnOrigin: (url) => url.startsWith('app://kestrel/'),
    targets: () => [target],
  });
  cleanups.push(t.cleanup, () => engine.stop(), detach);
  return { engine, ipc, sent, target };
}

describe('Electron IPC transport (fake ipcMain, real engine)', () => {
  it('serves commands from our own top frame and pushes events to the window', async () => {
    const { ipc, sent } = setup();
    expect(await ipc.invoke(OWN, { id: 1, cmd: 'getTradingState' })).toMatchObject({
      id: 1,
      ok: true,
      result: { state: 'ACTIVE' },
    });
    expect(await ipc.invoke(OWN, { id: 2, cmd: 'engageKillSwitch', input: { reason: 'ipc test' } })).toMatchObject({
      ok: true,
      result: { state: 'HALTED', changedBy: 'ui-electron' },
    });
    expect(sent).toContainEqual({
      channel: IPC_EVENT_CHANNEL,
      payload: { event: 'tradingState', payload: expect.objectContaining({ state: 'HALTED' }) },
    });
  });

  it('rejects senders that are not our page, or not its top frame', async () => {
    const { ipc } = setup();
    const denied = {
      id: null,
      ok: false,
      error: { code: 'DENIED', message: expect.stringContaining('not the Kestrel window') },
    };
    expect(
      await ipc.invoke({ senderFrame: { url: 'https://evil.example/', parent: null } }, { id: 1, cmd: 'getSnapshot' }),
    ).toMatchObject(denied);
    expect(
      await ipc.invoke({ senderFrame: { url: 'app://kestrel/index.html', parent: {} } }, { id: 1, cmd: 'getSnapshot' }),
    ).toMatchObject(denied);
    expect(await ipc.invoke({ senderFrame: null }, { id: 1, cmd: 'getSnapshot' })).toMatchObject(denied);
  });

  it('answers malformed frames with typed errors and keeps serving', async () => {
    const { ipc } = setup();
    expect(await ipc.invoke(OWN, 'not an object')).toMatchObject({ ok: false, error: { code: 'BAD_FRAME' } });
    expect(await ipc.invoke(OWN, { id: 1, cmd: 'rearm', input: { confirm: 'yes' } })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(await ipc.invoke(OWN, { id: 2, cmd: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_COMMAND' },
    });
    expect(await ipc.invoke(OWN, { id: 3, cmd: 'listSymbols' })).toMatchObject({ ok: true });
  });

  it('skips destroyed windows and unhooks on detach', async () => {
    const { ipc, sent, target, engine } = setup();
    target.destroyed = true;
    await ipc.invoke(OWN, { id: 1, cmd: 'engageKillSwitch', input: { reason: 'x' } });
    expect(sent).toHaveLength(0);
    cleanups.pop()!();
    expect(ipc.handlers.size).toBe(0);
    engine.alerts.raise('info', 't', 'm');
    expect(sent).toHaveLength(0);
  });
});
