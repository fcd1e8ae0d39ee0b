/**
 * The palette's actions and how a query ranks them. Panels register the actions they own (the
 * kill switch its engage and re-arm, the symbols table its modes) so the palette runs the same
 * code as the buttons; ranking is pure and unit-tested.
 */
import { create } from 'zustand';

export interface PaletteAction {
  id: string;
  title: string;
  /** Shown before the title and matched too, e.g. 'Chart', 'Symbol', 'Trading'. */
  group: string;
  /** Extra words to match, e.g. 'halt stop' for the kill switch. */
  keywords?: string;
  run(): void;
}

export interface Ranked {
  action: PaletteAction;
  score: number;
}

/** Scores one query word against one text: prefix > word start > substring > in-order letters; 0 = no match. */
export function scoreWord(word: string, text: string): number {
  if (word.length === 0) return 1;
  const t = text.toLowerCase();
  if (t.startsWith(word)) return 100 - Math.min(t.length, 50) / 10;
  const at = t.indexOf(word);
  if (at > 0) {
    const wordStart = !/[a-z0-9]/.test(t[at - 1]!);
    return (wordStart ? 80 : 60) - at / 100;
  }
  // Letters in order (e.g. 'ksw' for 'kill switch'); denser runs rank higher.
  let i = 0;
  let gaps = 0;
  let last = -1;
  for (let j = 0; j < t.length && i < word.length; j++) {
    if (t[j] === word[i]) {
      if (last >= 0 && j > last + 1) gaps++;
      last = j;
      i++;
    }
  }
  return i === word.length ? Math.max(1, 40 - gaps * 5) : 0;
}

/** Every query word must match the title, group or keywords; the title counts most. */
export function scoreAction(query: string, action: PaletteAction): number {
  const words = query.toLowerCase().trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return 1;
  let total = 0;
  for (const w of words) {
    const best = Math.max(
      scoreWord(w, action.title),
      scoreWord(w, action.group) * 0.8,
      scoreWord(w, action.keywords ?? '') * 0.7,
      // The whole line, so 'chart nvda' matches 'Chart: show NVDA' by both words.
      scoreWord(w, `${action.group} ${action.title}`) * 0.6,
    );
    if (best === 0) return 0;
    total += best;
  }
  return total / words.length;
}

/** The actions matching the query, best first; ties keep the registration order. */
export function rankActions(actions: readonly PaletteAction[], query: string): PaletteAction[] {
  return actions
    .map((action, i) => ({ action, i, score: scoreAction(query, action) }))
    .filter((r) => r.score > 0)
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .map((r) => r.action);
}

interface RegistryState {
  /** Actions by the source that registered them; a source replaces its whole list. */
  sources: Record<string, readonly PaletteAction[]>;
  register(source: string, actions: readonly PaletteAction[]): void;
  unregister(source: string): void;
}

export const useActionRegistry = create<RegistryState>((set) => ({
  sources: {},
  register: (source, actions) => set((s) => ({ sources: { ...s.sources, [source]: actions } })),
  unregister: (source) =>
    set((s) => {
      const rest = { ...s.sources };
      delete rest[source];
      return { sources: rest };
    }),
}));

/** Sources in a stable order so the empty query lists actions the same way every time. */
export function allActions(
  sources: Record<string, readonly PaletteAction[]>,
  order: readonly string[],
): PaletteAction[] {
  const known = order.filter((s) => sources[s]);
  const rest = Object.keys(sources)
    .filter((s) => !order.includes(s))
    .sort();
  return [...known, ...rest].flatMap((s) => sources[s] ?? []);
}
