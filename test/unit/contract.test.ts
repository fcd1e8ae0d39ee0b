import { describe, expect, it } from 'vitest';
import {
  commandNames,
  commands,
  eventNames,
  events,
  ErrorCode,
  isCommandName,
  ResponseFrameSchema,
} from '../../src/shared/contract';

describe('contract', () => {
  it('names the foundation commands and events', () => {
    expect(commandNames).toEqual(
      expect.arrayContaining([
        'getSnapshot',
        'getTradingState',
        'engageKillSwitch',
        'rearm',
        'listSymbols',
        'setSymbolMode',
      ]),
    );
    expect(eventNames).toEqual(expect.arrayContaining(['tradingState', 'symbolMode', 'alert', 'heartbeat']));
  });

  it('only knows its own command names, not Object.prototype members', () => {
    expect(isCommandName('getSnapshot')).toBe(true);
    expect(isCommandName('toString')).toBe(false);
    expect(isCommandName('__proto__')).toBe(false);
    expect(isCommandName(42)).toBe(false);
  });

  it('accepts no-input commands with {} or nothing, and refuses extra keys', () => {
    expect(commands.getSnapshot.input.safeParse(undefined).success).toBe(true);
    expect(commands.getSnapshot.input.safeParse({}).success).toBe(true);
    expect(commands.getSnapshot.input.safeParse({ sneaky: 1 }).success).toBe(false);
  });

  it('requires a reason to engage the kill switch', () => {
    expect(commands.engageKillSwitch.input.safeParse({ reason: 'manual' }).success).toBe(true);
    expect(commands.engageKillSwitch.input.safeParse({ reason: '   ' }).success).toBe(false);
    expect(commands.engageKillSwitch.input.safeParse({}).success).toBe(false);
  });

  it('re-arms only with confirm: true', () => {
    expect(commands.rearm.input.safeParse({ confirm: true }).success).toBe(true);
    expect(commands.rearm.input.safeParse({ confirm: false }).success).toBe(false);
    expect(commands.rearm.input.safeParse({ confirm: 'true' }).success).toBe(false);
    expect(commands.rearm.input.safeParse({}).success).toBe(false);
  });

  it('validates symbol and mode in setSymbolMode', () => {
    expect(commands.setSymbolMode.input.safeParse({ symbol: 'NVDA', mode: 'shadow' }).success).toBe(true);
    expect(commands.setSymbolMode.input.safeParse({ symbol: 'BRK.B', mode: 'off' }).success).toBe(true);
    expect(commands.setSymbolMode.input.safeParse({ symbol: 'nvda', mode: 'shadow' }).success).toBe(false);
    expect(commands.setSymbolMode.input.safeParse({ symbol: 'NVDA', mode: 'yolo' }).success).toBe(false);
    expect(commands.setSymbolMode.input.safeParse({ symbol: 'X'.repeat(17), mode: 'off' }).success).toBe(false);
  });

  it('shapes events and reply frames', () => {
    expect(
      events.tradingState.safeParse({ state: 'HALTED', reason: 'r', changedAt: 1, changedBy: 'ui-ws' }).success,
    ).toBe(true);
    expect(
      events.tradingState.safeParse({ state: 'PAUSED', reason: 'r', changedAt: 1, changedBy: 'ui-ws' }).success,
    ).toBe(false);
    expect(events.heartbeat.safeParse({ ts: 1, uptimeS: 0, tradingState: 'ACTIVE' }).success).toBe(true);
    expect(ResponseFrameSchema.safeParse({ id: 1, ok: false, error: { code: 'DENIED', message: 'no' } }).success).toBe(
      true,
    );
    expect(ResponseFrameSchema.safeParse({ id: 1, ok: false, error: { code: 'NOPE', message: 'no' } }).success).toBe(
      false,
    );
    expect(ErrorCode.options).toContain('INVALID_INPUT');
  });
});
