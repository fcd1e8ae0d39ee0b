import { describe, expect, it } from 'vitest';
import { EventBus } from '../../src/main/bus';
import { CommandError } from '../../src/main/errors';
import { silentLogger } from '../../src/main/observability/logger';
import { ContractServer, type CommandHandlers } from '../../src/main/transport/server';

const state = { state: 'ACTIVE' as const, reason: 'r', changedAt: 1, changedBy: 'cli' as const };

/** Only the handlers these tests call are real; any other command answers INTERNAL, as an unwired one would. */
function server(overrides: Partial<CommandHandlers> = {}) {
  const bus = new EventBus();
  const stubs: Partial<CommandHandlers> = {
    getTradingState: () => state,
    engageKillSwitch: ({ reason }) => ({ ...state, state: 'HALTED', reason }),
    rearm: () => state,
    listSymbols: () => [],
    ...overrides,
  };
  const handlers = new Proxy(stubs, {
    get: (target, name) =>
      target[name as keyof CommandHandlers] ??
      (() => {
        throw new CommandError('INTERNAL', `no test handler for ${String(name)}`);
      }),
  }) as CommandHandlers;
  return { bus, server: new ContractServer(handlers, bus, silentLogger()) };
}

const ctx = { surface: 'ui-ws' as const };

describe('ContractServer', () => {
  it('dispatches by name and validates the answer', async () => {
    const { server: s } = server();
    expect(await s.dispatch({ id: 7, cmd: 'engageKillSwitch', input: { reason: 'x' } }, ctx)).toEqual({
      id: 7,
      ok: true,
      result: { ...state, state: 'HALTED', reason: 'x' },
    });
  });

  it('answers bad frames, unknown commands and bad input with typed errors', async () => {
    const { server: s } = server();
    expect(await s.dispatchText('{not json', ctx)).toMatchObject({ id: null, ok: false, error: { code: 'BAD_FRAME' } });
    expect(await s.dispatch([1, 2], ctx)).toMatchObject({ id: null, ok: false, error: { code: 'BAD_FRAME' } });
    expect(await s.dispatch({ id: 'a', input: {} }, ctx)).toMatchObject({
      id: 'a',
      ok: false,
      error: { code: 'BAD_FRAME' },
    });
    expect(await s.dispatch({ id: 1, cmd: 'launchMissiles' }, ctx)).toMatchObject({
      error: { code: 'UNKNOWN_COMMAND' },
    });
    expect(await s.dispatch({ id: 1, cmd: 'constructor' }, ctx)).toMatchObject({ error: { code: 'UNKNOWN_COMMAND' } });
    const bad = await s.dispatch({ id: 2, cmd: 'rearm', input: { confirm: false } }, ctx);
    expect(bad).toMatchObject({ id: 2, ok: false, error: { code: 'INVALID_INPUT' } });
    expect(bad.ok === false && bad.error.message).toMatch(/confirm/);
  });

  it('passes CommandError codes through and hides other exceptions as INTERNAL', async () => {
    const { server: s } = server({
      rearm: () => {
        throw new CommandError('INVALID_STATE', 'already ACTIVE');
      },
      listSymbols: () => {
        throw new TypeError('cannot read properties of undefined');
      },
    });
    expect(await s.dispatch({ id: 1, cmd: 'rearm', input: { confirm: true } }, ctx)).toEqual({
      id: 1,
      ok: false,
      error: { code: 'INVALID_STATE', message: 'already ACTIVE' },
    });
    const internal = await s.dispatch({ id: 2, cmd: 'listSymbols' }, ctx);
    expect(internal).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(internal)).not.toContain('cannot read properties');
  });

  it('refuses to send an answer that fails the output schema', async () => {
    const { server: s } = server({ getTradingState: () => ({ state: 'PANIC' }) as never });
    expect(await s.dispatch({ id: 1, cmd: 'getTradingState' }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'INTERNAL' },
    });
  });

  it('forwards valid events and drops ones that fail the contract', () => {
    const { server: s, bus } = server();
    const frames: unknown[] = [];
    s.subscribe((f) => frames.push(f));
    bus.emit('heartbeat', { ts: 1, uptimeS: 1, tradingState: 'ACTIVE' });
    bus.emit('heartbeat', { ts: -1, uptimeS: 1, tradingState: 'ACTIVE' });
    expect(frames).toEqual([{ event: 'heartbeat', payload: { ts: 1, uptimeS: 1, tradingState: 'ACTIVE' } }]);
  });
});
