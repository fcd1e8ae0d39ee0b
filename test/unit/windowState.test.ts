import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_WINDOW_STATE,
  WINDOW_STATE_FILE,
  loadWindowState,
  parseWindowState,
  saveWindowState,
  trackWindowState,
  type Rect,
  type TrackedWindow,
} from '../../src/main/electron/windowState';
import { tempDir } from '../helpers/tmp';

const laptop: Rect = { x: 0, y: 0, width: 1920, height: 1050 };
const rightMonitor: Rect = { x: 1920, y: 0, width: 2560, height: 1400 };
const stored = (bounds: Rect, maximized = false): string => JSON.stringify({ version: 1, bounds, maximized });

describe('parseWindowState', () => {
  it('restores saved bounds and the maximised flag', () => {
    const r = parseWindowState(stored({ x: 2000, y: 40, width: 1800, height: 1000 }, true), [laptop, rightMonitor]);
    expect(r).toEqual({
      state: { bounds: { x: 2000, y: 40, width: 1800, height: 1000 }, maximized: true },
      problem: null,
    });
  });

  it('uses the defaults on a first launch, with no problem to report', () => {
    expect(parseWindowState(null, [laptop])).toEqual({ state: DEFAULT_WINDOW_STATE, problem: null });
  });

  it('falls back to the defaults on a corrupt file, and says why', () => {
    for (const text of ['', '{"version":1,"bounds":', 'null', '[]', '"x"']) {
      const r = parseWindowState(text, [laptop]);
      expect(r.state, text).toEqual(DEFAULT_WINDOW_STATE);
      expect(r.problem, text).toMatch(/window-state\.json/);
    }
  });

  it('falls back to the defaults on a wrong shape', () => {
    const bad: unknown[] = [
      { version: 2, bounds: { x: 0, y: 0, width: 800, height: 600 }, maximized: false },
      { version: 1, bounds: { x: 0, y: 0, width: 800 }, maximized: false },
      { version: 1, bounds: { x: 0, y: 0, width: 800, height: 600 }, maximized: 'yes' },
      { version: 1, bounds: { x: 'a', y: 0, width: 800, height: 600 }, maximized: false },
      { version: 1, bounds: { x: 0, y: 0, width: 50, height: 600 }, maximized: false },
      { version: 1, bounds: { x: 0, y: 0, width: 1e9, height: 600 }, maximized: false },
      { version: 1, bounds: { x: 0.5, y: 0, width: 800, height: 600 }, maximized: false },
      { version: 1, bounds: { x: 0, y: 0, width: 800, height: 600 }, maximized: false, extra: 1 },
    ];
    for (const b of bad) {
      const r = parseWindowState(JSON.stringify(b), [laptop]);
      expect(r.state, JSON.stringify(b)).toEqual(DEFAULT_WINDOW_STATE);
      expect(r.problem, JSON.stringify(b)).toMatch(/invalid at/);
    }
  });

  it('falls back to the defaults when the saved bounds are off every display', () => {
    const offScreen: Rect[] = [
      { x: 2000, y: 40, width: 1800, height: 1000 }, // the right monitor is unplugged
      { x: -32000, y: -32000, width: 800, height: 600 }, // Windows' minimised position
      { x: 100, y: -500, width: 800, height: 600 }, // title bar above the screen
      { x: 100, y: 1030, width: 800, height: 600 }, // only 20 px showing at the bottom
      { x: -760, y: 100, width: 800, height: 600 }, // only 40 px showing on the left
    ];
    for (const b of offScreen) {
      const r = parseWindowState(stored(b), [laptop]);
      expect(r.state, JSON.stringify(b)).toEqual(DEFAULT_WINDOW_STATE);
      expect(r.problem, JSON.stringify(b)).toMatch(/off-screen/);
    }
    expect(parseWindowState(stored({ x: 100, y: 100, width: 800, height: 600 }), []).problem).toMatch(/off-screen/);
  });

  it('keeps a window that is partly off-screen but grabbable, and shrinks one larger than its display', () => {
    expect(parseWindowState(stored({ x: -600, y: 10, width: 800, height: 600 }), [laptop]).state.bounds).toEqual({
      x: -600,
      y: 10,
      width: 800,
      height: 600,
    });
    expect(parseWindowState(stored({ x: 0, y: 0, width: 2560, height: 1400 }), [laptop]).state.bounds).toEqual({
      x: 0,
      y: 0,
      width: 1920,
      height: 1050,
    });
  });
});

describe('window-state.json on disk', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  it('round-trips through save and load, rounding fractional (HiDPI) bounds', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    saveWindowState(t.dir, { x: 10.4, y: 20.6, width: 1300, height: 800 }, true);
    expect(loadWindowState(t.dir, [laptop])).toEqual({
      state: { bounds: { x: 10, y: 21, width: 1300, height: 800 }, maximized: true },
      problem: null,
    });
    // written atomically: no temp file left beside it
    expect(fs.readdirSync(t.dir)).toEqual([WINDOW_STATE_FILE]);
  });

  it('loads the defaults from a missing or corrupt file, and leaves the corrupt file for inspection', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    expect(loadWindowState(t.dir, [laptop])).toEqual({ state: DEFAULT_WINDOW_STATE, problem: null });
    fs.writeFileSync(path.join(t.dir, WINDOW_STATE_FILE), '{"version":1,"bou');
    const r = loadWindowState(t.dir, [laptop]);
    expect(r.state).toEqual(DEFAULT_WINDOW_STATE);
    expect(r.problem).toMatch(/not valid JSON/);
    expect(fs.readFileSync(path.join(t.dir, WINDOW_STATE_FILE), 'utf8')).toBe('{"version":1,"bou');
  });

  it('a failed save keeps the previous file whole', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    saveWindowState(t.dir, { x: 0, y: 0, width: 1000, height: 700 }, false);
    const before = fs.readFileSync(path.join(t.dir, WINDOW_STATE_FILE), 'utf8');
    expect(() =>
      saveWindowState(path.join(t.dir, 'missing-dir'), { x: 0, y: 0, width: 1, height: 1 }, false),
    ).toThrow();
    expect(fs.readFileSync(path.join(t.dir, WINDOW_STATE_FILE), 'utf8')).toBe(before);
  });
});

describe('trackWindowState', () => {
  let cleanup = (): void => {};
  afterEach(() => {
    vi.useRealTimers();
    cleanup();
  });

  function fakeWindow(): TrackedWindow & { emit(event: string): void; bounds: Rect; maximized: boolean } {
    const listeners = new Map<string, (() => void)[]>();
    return {
      bounds: { x: 50, y: 60, width: 1200, height: 800 },
      maximized: false,
      getNormalBounds() {
        return this.bounds;
      },
      isMaximized() {
        return this.maximized;
      },
      on(event, listener) {
        listeners.set(event, [...(listeners.get(event) ?? []), listener]);
      },
      emit(event) {
        for (const l of listeners.get(event) ?? []) l();
      },
    };
  }

  it('saves once after a burst of moves settles, and again on close', () => {
    vi.useFakeTimers();
    const t = tempDir();
    cleanup = t.cleanup;
    const file = path.join(t.dir, WINDOW_STATE_FILE);
    const w = fakeWindow();
    trackWindowState(w, { dataDir: t.dir, debounceMs: 500, onError: (err) => expect.fail(String(err)) });
    w.emit('move');
    w.bounds = { x: 70, y: 80, width: 1200, height: 800 };
    w.emit('move');
    vi.advanceTimersByTime(499);
    expect(fs.existsSync(file)).toBe(false);
    vi.advanceTimersByTime(1);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ bounds: { x: 70, y: 80 }, maximized: false });
    w.maximized = true;
    w.emit('close');
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ bounds: { x: 70, y: 80 }, maximized: true });
  });

  it('reports a failed save instead of throwing into Electron', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const errors: unknown[] = [];
    const w = fakeWindow();
    trackWindowState(w, { dataDir: path.join(t.dir, 'gone'), onError: (err) => errors.push(err) });
    expect(() => w.emit('close')).not.toThrow();
    expect(errors).toHaveLength(1);
  });
});
