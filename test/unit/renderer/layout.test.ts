/** The persisted workstation layout: parsing what localStorage holds, and the store writing it back. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  clampWidth,
  DEFAULT_LAYOUT,
  LAYOUT_STORAGE_KEY,
  parseLayout,
  serializeLayout,
  WIDTH_LIMITS,
  type Layout,
} from '../../../src/renderer/src/layout/layoutState';

const CUSTOM: Layout = {
  theme: 'light',
  bottomTab: 'providers',
  chartSymbol: 'NVDA',
  chartInterval: '5m',
  leftWidth: 500,
  rightWidth: 280,
  bottomHeight: 400,
};

describe('parseLayout', () => {
  it('round-trips a valid layout', () => {
    expect(parseLayout(serializeLayout(CUSTOM))).toEqual(CUSTOM);
  });

  it.each([
    ['nothing stored', null],
    ['an empty string', ''],
    ['truncated JSON', '{"theme": "light", "leftWidth": "wide'],
    ['a JSON array', '[1,2,3]'],
    ['a JSON string', '"dark"'],
    ['JSON null', 'null'],
  ])('gives the defaults for %s', (_what, raw) => {
    expect(parseLayout(raw)).toEqual(DEFAULT_LAYOUT);
  });

  it('keeps the valid fields and defaults each bad one on its own', () => {
    const raw = JSON.stringify({
      ...CUSTOM,
      theme: 'neon',
      bottomTab: 'orders',
      chartSymbol: '<script>',
      chartInterval: '2m',
    });
    expect(parseLayout(raw)).toEqual({
      ...CUSTOM,
      theme: 'dark',
      bottomTab: 'blotter',
      chartSymbol: null,
      chartInterval: '1m',
    });
  });

  it('clamps widths into their limits and rejects non-numbers', () => {
    const raw = JSON.stringify({ leftWidth: 5, rightWidth: 99_999, bottomHeight: -1 });
    expect(parseLayout(raw)).toMatchObject({
      leftWidth: WIDTH_LIMITS.left.min,
      rightWidth: WIDTH_LIMITS.right.max,
      bottomHeight: WIDTH_LIMITS.bottom.min,
    });
    expect(parseLayout(JSON.stringify({ leftWidth: '500', rightWidth: null }))).toMatchObject({
      leftWidth: DEFAULT_LAYOUT.leftWidth,
      rightWidth: DEFAULT_LAYOUT.rightWidth,
    });
    expect(clampWidth('left', 512.6)).toBe(513);
  });
});

/** A Map-backed localStorage; `fail` makes setItem throw like a full or disabled storage. */
function fakeStorage(initial: Record<string, string> = {}, fail = false) {
  const m = new Map(Object.entries(initial));
  return {
    map: m,
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => {
      if (fail) throw new Error('QuotaExceededError');
      m.set(k, v);
    },
    removeItem: (k: string) => void m.delete(k),
  };
}

async function loadStore(storage: ReturnType<typeof fakeStorage>) {
  vi.resetModules();
  vi.stubGlobal('localStorage', storage);
  return (await import('../../../src/renderer/src/layout/layoutStore')).useLayout;
}

describe('layout store', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('starts from what is stored and writes every change back', async () => {
    const storage = fakeStorage({ [LAYOUT_STORAGE_KEY]: serializeLayout(CUSTOM) });
    const useLayout = await loadStore(storage);
    expect(useLayout.getState()).toMatchObject(CUSTOM);
    useLayout.getState().toggleTheme();
    useLayout.getState().setWidth('right', 10_000);
    useLayout.getState().setBottomTab('backtests');
    useLayout.getState().setWidth('bottom', 420);
    expect(parseLayout(storage.map.get(LAYOUT_STORAGE_KEY))).toEqual({
      ...CUSTOM,
      theme: 'dark',
      bottomTab: 'backtests',
      rightWidth: WIDTH_LIMITS.right.max,
      bottomHeight: 420,
    });
    useLayout.getState().reset();
    expect(parseLayout(storage.map.get(LAYOUT_STORAGE_KEY))).toEqual(DEFAULT_LAYOUT);
  });

  it('starts from the defaults when the stored layout is corrupt', async () => {
    const useLayout = await loadStore(fakeStorage({ [LAYOUT_STORAGE_KEY]: '{oops' }));
    expect(useLayout.getState()).toMatchObject(DEFAULT_LAYOUT);
  });

  it('keeps working in memory when storage refuses writes', async () => {
    const storage = fakeStorage({}, true);
    const useLayout = await loadStore(storage);
    useLayout.getState().setChartSymbol('MSFT');
    expect(useLayout.getState().chartSymbol).toBe('MSFT');
    expect(storage.map.size).toBe(0);
  });
});
