/**
 * Every keyboard shortcut of the workstation, in one list: the shortcuts dialog renders it, the
 * palette shows an action's keys from it, and the global handlers match key presses with it.
 */

/** A global key chord; `mod` is Ctrl, or Cmd on macOS. */
export interface Chord {
  key: string;
  mod?: boolean;
  shift?: boolean;
}

export interface Shortcut {
  id: string;
  /** How the keys read in the list, e.g. 'Ctrl+Shift+K'. */
  keys: string;
  description: string;
  /** Where it works. */
  scope:
    'Anywhere' | 'Chart focused' | 'Tab list focused' | 'Order ticket' | 'Palette' | 'Pane divider focused' | 'Dialogs';
  /** For global shortcuts: the chord the handlers match. */
  chord?: Chord;
  /** The palette action it runs, if any, so the palette can show the keys next to it. */
  actionId?: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  {
    id: 'palette',
    keys: 'Ctrl+K',
    description: 'Open the command palette',
    scope: 'Anywhere',
    chord: { key: 'k', mod: true },
  },
  {
    id: 'kill',
    keys: 'Ctrl+Shift+K',
    description: 'Engage the kill switch (halt all trading)',
    scope: 'Anywhere',
    chord: { key: 'k', mod: true, shift: true },
    actionId: 'kill.engage',
  },
  {
    id: 'settings',
    keys: 'Ctrl+,',
    description: 'Open settings',
    scope: 'Anywhere',
    chord: { key: ',', mod: true },
    actionId: 'settings.open',
  },
  {
    id: 'shortcuts',
    keys: '?',
    description: 'Show this list of shortcuts',
    scope: 'Anywhere',
    chord: { key: '?' },
    actionId: 'help.shortcuts',
  },
  { id: 'interval', keys: '1 2 3 4 5', description: 'Chart interval 1m, 5m, 15m, 1h, 1d', scope: 'Chart focused' },
  {
    id: 'tabs',
    keys: '← → Home End',
    description: 'Move between tabs (bottom panels, settings)',
    scope: 'Tab list focused',
  },
  {
    id: 'ticket-send',
    keys: 'Enter',
    description: 'Send the order (live orders ask to confirm)',
    scope: 'Order ticket',
  },
  { id: 'ticket-clear', keys: 'Esc', description: 'Clear the ticket', scope: 'Order ticket' },
  { id: 'palette-move', keys: '↑ ↓ Home End', description: 'Move through the actions', scope: 'Palette' },
  { id: 'palette-run', keys: 'Enter', description: 'Run the highlighted action', scope: 'Palette' },
  {
    id: 'resize',
    keys: '← → ↑ ↓ Home End',
    description: 'Resize the pane (Shift: 64 px steps)',
    scope: 'Pane divider focused',
  },
  { id: 'close', keys: 'Esc', description: 'Close the dialog; focus goes back where it was', scope: 'Dialogs' },
  { id: 'focus', keys: 'Tab Shift+Tab', description: 'Move focus; the focused control is outlined', scope: 'Anywhere' },
];

const byAction = new Map(SHORTCUTS.filter((s) => s.actionId).map((s) => [s.actionId!, s.keys]));

export function shortcutForAction(actionId: string): string | undefined {
  return byAction.get(actionId);
}

export function chordOf(id: string): Chord {
  const c = SHORTCUTS.find((s) => s.id === id)?.chord;
  if (!c) throw new Error(`no chord for shortcut ${id}`);
  return c;
}

/** The fields of a KeyboardEvent a chord reads (typed here: unit tests run without the DOM library). */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

export function matchesChord(e: KeyPress, c: Chord): boolean {
  if (e.altKey) return false;
  if ((e.ctrlKey || e.metaKey) !== (c.mod ?? false)) return false;
  // '?' is Shift+/ on most layouts: for printable keys without mod, the key itself decides.
  if (c.mod && (c.shift ?? false) !== e.shiftKey) return false;
  return e.key.toLowerCase() === c.key;
}
