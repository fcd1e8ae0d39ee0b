/** Focus helpers for palette actions: move focus to a panel, or into a control once it renders. */

/** Focuses the region labelled by `titleId` (the panel's heading), making it focusable if needed. */
export function focusPanel(titleId: string): boolean {
  const region = document.getElementById(titleId)?.closest<HTMLElement>('section, [role="region"]');
  if (!region) return false;
  if (!region.hasAttribute('tabindex')) region.tabIndex = -1;
  region.focus();
  region.scrollIntoView({ block: 'nearest' });
  return true;
}

/** Focuses the first element matching `selector` on the next frames (after a tab switch renders it). */
export function focusSoon(selector: string, tries = 10): void {
  const el = document.querySelector<HTMLElement>(selector);
  if (el && el.offsetParent !== null) {
    el.focus();
    return;
  }
  if (tries > 0) requestAnimationFrame(() => focusSoon(selector, tries - 1));
}
