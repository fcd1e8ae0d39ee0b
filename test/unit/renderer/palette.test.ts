/** The command palette's ranking and the shared shortcut list (src/renderer/src/palette). */
import { describe, expect, it } from 'vitest';
import {
  allActions,
  rankActions,
  scoreAction,
  scoreWord,
  type PaletteAction,
} from '../../../src/renderer/src/palette/registry';
import { chordOf, matchesChord, SHORTCUTS, shortcutForAction } from '../../../src/renderer/src/palette/shortcuts';

const noop = () => {};
const a = (id: string, group: string, title: string, keywords?: string): PaletteAction => ({
  id,
  group,
  title,
  ...(keywords ? { keywords } : {}),
  run: noop,
});

const ACTIONS: PaletteAction[] = [
  a('kill.engage', 'Trading', 'Engage kill switch (halt all trading)', 'halt stop kill'),
  a('kill.rearm', 'Trading', 'Re-arm trading…', 'resume active unhalt'),
  a('flatten.all', 'Trading', 'Flatten all positions…', 'close exit liquidate'),
  a('mode.AMD.off', 'Symbol', 'AMD: shadow → off', 'mode off set switch'),
  a('mode.AMD.live', 'Symbol', 'AMD: shadow → live…', 'mode live set switch'),
  a('mode.NVDA.off', 'Symbol', 'NVDA: shadow → off', 'mode off set switch'),
  a('mode.NVDA.live', 'Symbol', 'NVDA: shadow → live…', 'mode live set switch'),
  a('chart.symbol.NVDA', 'Chart', 'Show NVDA', 'symbol chart switch'),
  a('chart.interval.5m', 'Chart', 'Interval 5m (key 2)', 'timeframe bars'),
  a('theme.toggle', 'View', 'Switch to light theme', 'theme colour color dark light'),
  a('layout.reset', 'View', 'Reset layout', 'columns widths default restore'),
  a('help.shortcuts', 'Help', 'Show keyboard shortcuts', 'keys help'),
];
const ids = (q: string) => rankActions(ACTIONS, q).map((x) => x.id);

describe('palette ranking', () => {
  it('lists everything in registration order for an empty or blank query', () => {
    expect(ids('')).toEqual(ACTIONS.map((x) => x.id));
    expect(ids('   ')).toEqual(ACTIONS.map((x) => x.id));
  });

  it('puts the action whose title starts with the query first', () => {
    expect(ids('reset')[0]).toBe('layout.reset');
    expect(ids('flat')[0]).toBe('flatten.all');
    expect(ids('re-arm')[0]).toBe('kill.rearm');
  });

  it('needs every word to match, in title, group or keywords, and ranks the title match higher', () => {
    expect(ids('amd off')).toEqual(['mode.AMD.off']);
    expect(ids('nvda live')).toEqual(['mode.NVDA.live']);
    expect(ids('chart nvda')[0]).toBe('chart.symbol.NVDA');
    // 'halt' is in the kill switch title and keywords: it ranks first.
    expect(ids('halt')[0]).toBe('kill.engage');
    expect(ids('light')[0]).toBe('theme.toggle');
  });

  it('matches letters in order as the weakest kind of match, and nothing else', () => {
    expect(ids('ksw')[0]).toBe('kill.engage');
    expect(scoreWord('ksw', 'kill switch')).toBeGreaterThan(0);
    expect(scoreWord('ksw', 'kill switch')).toBeLessThan(scoreWord('swi', 'kill switch'));
    expect(scoreWord('swi', 'kill switch')).toBeLessThan(scoreWord('kil', 'kill switch'));
    expect(ids('zzz')).toEqual([]);
    expect(ids('amd zzz')).toEqual([]);
  });

  it('is case-insensitive and gives every match a positive score', () => {
    expect(ids('AMD OFF')).toEqual(ids('amd off'));
    for (const x of rankActions(ACTIONS, 'mode')) expect(scoreAction('mode', x)).toBeGreaterThan(0);
  });

  it('orders sources: the known ones first as listed, the others after by name', () => {
    const sources = {
      workspace: [a('w', 'View', 'W')],
      zeta: [a('z', 'X', 'Z')],
      trading: [a('t', 'Trading', 'T')],
      alpha: [a('al', 'X', 'A')],
    };
    expect(allActions(sources, ['trading', 'symbols', 'workspace']).map((x) => x.id)).toEqual(['t', 'w', 'al', 'z']);
  });
});

describe('shortcuts: one list for the dialog, the palette and the key handlers', () => {
  it('has unique ids and names the kill switch, palette, settings and help keys', () => {
    expect(new Set(SHORTCUTS.map((s) => s.id)).size).toBe(SHORTCUTS.length);
    expect(shortcutForAction('kill.engage')).toBe('Ctrl+Shift+K');
    expect(shortcutForAction('settings.open')).toBe('Ctrl+,');
    expect(shortcutForAction('help.shortcuts')).toBe('?');
    expect(shortcutForAction('layout.reset')).toBeUndefined();
  });

  it('matches chords: Ctrl or Cmd, Shift exactly for modified chords, never with Alt', () => {
    const key = (k: string, m: { ctrl?: boolean; meta?: boolean; shift?: boolean; alt?: boolean } = {}) => ({
      key: k,
      ctrlKey: m.ctrl ?? false,
      metaKey: m.meta ?? false,
      shiftKey: m.shift ?? false,
      altKey: m.alt ?? false,
    });
    const palette = chordOf('palette');
    const kill = chordOf('kill');
    expect(matchesChord(key('k', { ctrl: true }), palette)).toBe(true);
    expect(matchesChord(key('k', { meta: true }), palette)).toBe(true);
    expect(matchesChord(key('K', { ctrl: true, shift: true }), palette)).toBe(false);
    expect(matchesChord(key('K', { ctrl: true, shift: true }), kill)).toBe(true);
    expect(matchesChord(key('k', { ctrl: true, alt: true }), palette)).toBe(false);
    expect(matchesChord(key('k'), palette)).toBe(false);
    // '?' is Shift+/ on US layouts: the printed key decides.
    expect(matchesChord(key('?', { shift: true }), chordOf('shortcuts'))).toBe(true);
    expect(matchesChord(key('?', { ctrl: true }), chordOf('shortcuts'))).toBe(false);
    expect(() => chordOf('interval')).toThrow(/no chord/);
  });
});
