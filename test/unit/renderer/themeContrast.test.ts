/**
 * Both themes' colour tokens (styles.css) keep text readable: body and muted text ≥ 4.5:1 on the
 * page and panel backgrounds, up/down/warn ≥ 3:1 there (they always come with ▲/▼ or a word), and
 * white on the selected fill (segments, the palette's highlighted row) and text on up/warn fills ≥ 4.5:1.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contrastRatio, luminance } from '../../../src/renderer/src/theme/contrast';

const css = fs.readFileSync('src/renderer/src/styles.css', 'utf8');

function tokens(selector: string): Record<string, string> {
  const at = css.indexOf(`${selector} {`);
  if (at < 0) throw new Error(`no ${selector} block in styles.css`);
  const block = css.slice(at, css.indexOf('}', at));
  return Object.fromEntries([...block.matchAll(/--([\w-]+):\s*(#[0-9a-fA-F]{6})\s*;/g)].map((m) => [m[1]!, m[2]!]));
}

const dark = tokens(':root');
const light = { ...dark, ...tokens("[data-theme='light']") };

describe('contrast', () => {
  it('computes WCAG ratios', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#777777', '#777777')).toBe(1);
    expect(luminance('#ffffff')).toBeCloseTo(1, 5);
    expect(() => luminance('red')).toThrow(/not a #rrggbb/);
  });

  it.each([
    ['dark', dark],
    ['light', light],
  ])('keeps the %s theme readable', (_name, t) => {
    for (const bg of ['bg', 'panel']) {
      for (const fg of ['text', 'muted'])
        expect(contrastRatio(t[fg]!, t[bg]!), `${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
      for (const fg of ['up', 'down', 'warn', 'accent'])
        expect(contrastRatio(t[fg]!, t[bg]!), `${fg} on ${bg}`).toBeGreaterThanOrEqual(3);
    }
    expect(contrastRatio('#ffffff', t['selected']!), 'white on selected').toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio(t['on-up']!, t['up']!), 'text on an up fill (LIVE)').toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio(t['on-warn']!, t['warn']!), 'text on a warn fill (SIM, confirm)').toBeGreaterThanOrEqual(4.5);
  });

  it('gives the light theme its own up/down/warn (the dark ones wash out on white)', () => {
    for (const k of ['up', 'down', 'warn', 'accent']) expect(light[k]).not.toBe(dark[k]);
  });
});
