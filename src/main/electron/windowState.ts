/**
 * The window's size, position and maximised flag, kept in the data dir as window-state.json.
 * Loading is a pure function: a corrupt file or bounds on a monitor that is gone fall back to the
 * default size, centred, so Kestrel always opens somewhere the trader can see it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../commands/atomicFile';
import type { WindowBounds } from './windowOptions';

export const WINDOW_STATE_FILE = 'window-state.json';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  /** No x/y means "let the OS centre it". */
  bounds: WindowBounds;
  maximized: boolean;
}

export const DEFAULT_WINDOW_STATE: WindowState = { bounds: { width: 1440, height: 900 }, maximized: false };

/** How much of the window must lie on a display for it to be grabbable: a title-bar-sized strip. */
export const MIN_VISIBLE = { width: 100, height: 50 };

const Px = z.number().int().min(-100_000).max(100_000);
const Size = z.number().int().min(200).max(100_000);
const StoredWindowState = z
  .object({
    version: z.literal(1),
    bounds: z.object({ x: Px, y: Px, width: Size, height: Size }).strict(),
    maximized: z.boolean(),
  })
  .strict();

export interface LoadedWindowState {
  state: WindowState;
  /** Why the defaults were used, for the log; null when the saved state was restored. */
  problem: string | null;
}

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    height: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  };
}

/** The display holding the window's top strip (where the title bar is), if any. */
function displayFor(bounds: Rect, workAreas: readonly Rect[]): Rect | undefined {
  const titleStrip = { x: bounds.x, y: bounds.y, width: bounds.width, height: MIN_VISIBLE.height };
  return workAreas.find((area) => {
    const o = overlap(titleStrip, area);
    return o.width >= MIN_VISIBLE.width && o.height >= MIN_VISIBLE.height;
  });
}

/** Parses window-state.json's text (null: no file yet) against the current displays' work areas. */
export function parseWindowState(text: string | null, workAreas: readonly Rect[]): LoadedWindowState {
  const defaults = (problem: string | null): LoadedWindowState => ({
    state: { bounds: { ...DEFAULT_WINDOW_STATE.bounds }, maximized: false },
    problem,
  });
  if (text === null) return defaults(null);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return defaults(`${WINDOW_STATE_FILE} is not valid JSON`);
  }
  const parsed = StoredWindowState.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return defaults(`${WINDOW_STATE_FILE} is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  const { bounds, maximized } = parsed.data;
  const area = displayFor(bounds, workAreas);
  if (!area) return defaults(`saved window bounds are off-screen`);
  // A window larger than its display (a monitor swapped for a smaller one) shrinks to fit.
  return {
    state: {
      bounds: {
        x: bounds.x,
        y: bounds.y,
        width: Math.min(bounds.width, area.width),
        height: Math.min(bounds.height, area.height),
      },
      maximized,
    },
    problem: null,
  };
}

/** Reads the file; a missing file is a first launch, an unreadable one falls back to the defaults. */
export function loadWindowState(dataDir: string, workAreas: readonly Rect[]): LoadedWindowState {
  let text: string | null = null;
  try {
    text = fs.readFileSync(path.join(dataDir, WINDOW_STATE_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      return { ...parseWindowState(null, workAreas), problem: `${WINDOW_STATE_FILE}: ${(err as Error).message}` };
    }
  }
  return parseWindowState(text, workAreas);
}

/** Written beside and renamed, so a crash mid-write never leaves a half file. */
export function saveWindowState(dataDir: string, bounds: Rect, maximized: boolean): void {
  const stored = { version: 1, bounds: roundRect(bounds), maximized };
  writeFileAtomic(path.join(dataDir, WINDOW_STATE_FILE), `${JSON.stringify(stored, null, 2)}\n`);
}

function roundRect(r: Rect): Rect {
  return { x: Math.round(r.x), y: Math.round(r.y), width: Math.round(r.width), height: Math.round(r.height) };
}

/** The slice of BrowserWindow this module needs, so a test can drive it with a fake. */
export interface TrackedWindow {
  getNormalBounds(): Rect;
  isMaximized(): boolean;
  on(event: 'resize' | 'move' | 'maximize' | 'unmaximize' | 'close', listener: () => void): unknown;
}

export interface TrackOptions {
  dataDir: string;
  /** Moves and resizes come in bursts; one write after they settle. */
  debounceMs?: number;
  onError: (err: unknown) => void;
}

/** Saves after moves and resizes settle, and once more on close; normal bounds, so un-maximising restores them. */
export function trackWindowState(window: TrackedWindow, { dataDir, debounceMs = 1000, onError }: TrackOptions): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const save = (): void => {
    clearTimeout(timer);
    timer = undefined;
    try {
      saveWindowState(dataDir, window.getNormalBounds(), window.isMaximized());
    } catch (err) {
      onError(err); // losing the window position is never worth stopping the app for
    }
  };
  const later = (): void => {
    clearTimeout(timer);
    timer = setTimeout(save, debounceMs);
    timer.unref?.();
  };
  for (const event of ['resize', 'move', 'maximize', 'unmaximize'] as const) window.on(event, later);
  window.on('close', save);
}
