/**
 * The workstation layout a trader gets back after a restart: theme, open bottom tab, chart symbol and
 * interval, and the side column widths. Pure: parsed from whatever localStorage holds, and anything
 * missing, corrupt or out of range falls back to its default field by field.
 */
import { z } from 'zod';

export const THEMES = ['dark', 'light'] as const;
export type Theme = (typeof THEMES)[number];
export const BOTTOM_TABS = ['blotter', 'providers', 'backtests'] as const;
export type BottomTab = (typeof BOTTOM_TABS)[number];
export const CHART_INTERVALS = ['1m', '5m', '15m', '1h', '1d'] as const;
export type ChartIntervalName = (typeof CHART_INTERVALS)[number];

/**
 * Pane limits in px: the Symbols table needs ~360 px for its mode buttons, alerts ~220 px, and the
 * bottom tabs ~200 px for the ticket and a few blotter rows.
 */
export const WIDTH_LIMITS = {
  left: { min: 360, max: 720 },
  right: { min: 220, max: 560 },
  bottom: { min: 200, max: 720 },
} as const;
export type Column = keyof typeof WIDTH_LIMITS;

export interface Layout {
  theme: Theme;
  bottomTab: BottomTab;
  /** null: the first watched symbol. */
  chartSymbol: string | null;
  chartInterval: ChartIntervalName;
  leftWidth: number;
  rightWidth: number;
  /** Height of the bottom tabs. */
  bottomHeight: number;
}

export const DEFAULT_LAYOUT: Layout = {
  theme: 'dark',
  bottomTab: 'blotter',
  chartSymbol: null,
  chartInterval: '1m',
  leftWidth: 440,
  rightWidth: 300,
  // Fits the ticket, six orders and three symbols' positions with their totals.
  bottomHeight: 350,
};

export const LAYOUT_STORAGE_KEY = 'kestrel.layout.v1';

export function clampWidth(column: Column, px: number): number {
  const { min, max } = WIDTH_LIMITS[column];
  return Math.round(Math.min(max, Math.max(min, px)));
}

const fields = {
  theme: z.enum(THEMES),
  bottomTab: z.enum(BOTTOM_TABS),
  chartSymbol: z
    .string()
    .regex(/^[A-Z0-9.\-/]{1,16}$/)
    .nullable(),
  chartInterval: z.enum(CHART_INTERVALS),
  leftWidth: z.number().finite(),
  rightWidth: z.number().finite(),
  bottomHeight: z.number().finite(),
};

/** Reads a stored layout; every field is checked on its own so one bad value does not lose the rest. */
export function parseLayout(raw: string | null | undefined): Layout {
  if (!raw) return { ...DEFAULT_LAYOUT };
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return { ...DEFAULT_LAYOUT };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { ...DEFAULT_LAYOUT };
  const obj = data as Record<string, unknown>;
  const pick = <K extends keyof Layout>(k: K): Layout[K] => {
    const r = fields[k].safeParse(obj[k]);
    return r.success ? (r.data as Layout[K]) : DEFAULT_LAYOUT[k];
  };
  return {
    theme: pick('theme'),
    bottomTab: pick('bottomTab'),
    chartSymbol: pick('chartSymbol'),
    chartInterval: pick('chartInterval'),
    leftWidth: clampWidth('left', pick('leftWidth')),
    rightWidth: clampWidth('right', pick('rightWidth')),
    bottomHeight: clampWidth('bottom', pick('bottomHeight')),
  };
}

export function serializeLayout(layout: Layout): string {
  return JSON.stringify(layout);
}
