import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadWeights, parseWeights, WeightsError } from '../../../src/main/inference/weights';
import { MlpPolicy } from '../../../src/main/inference/stub';
import { tempDir } from '../../helpers/tmp';

const RESOURCES = path.resolve('resources');
const good = () =>
  JSON.parse(fs.readFileSync(path.join(RESOURCES, 'models/single.json'), 'utf8')) as Record<string, unknown>;
const layers = (w: Record<string, unknown>) =>
  w.layers as { name?: string; weight: number[][]; bias: number[]; activation: string }[];

function withHidden(): Record<string, unknown> {
  const w = good();
  w.layers = [
    {
      name: 'pi_fc0',
      weight: Array.from({ length: 4 }, () => Array(13).fill(0.1)),
      bias: [0, 0, 0, 0],
      activation: 'tanh',
    },
    {
      name: 'action_net',
      weight: Array.from({ length: 3 }, () => Array(4).fill(0.1)),
      bias: [0, 0, 0],
      activation: 'linear',
    },
  ];
  return w;
}

const errorOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WeightsError);
    return (err as Error).message;
  }
  throw new Error('expected a WeightsError');
};

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('policy weights files', () => {
  it('the shipped defaults are valid', () => {
    expect(loadWeights('models/single.json', RESOURCES).kind).toBe('single');
    expect(loadWeights('models/dual-nvda-msft.json', RESOURCES).kind).toBe('dual');
    expect(new MlpPolicy(withHidden()).kind).toBe('single');
  });

  it('a weight row of the wrong width names the layer, the row and the expected size', () => {
    const w = good();
    layers(w)[0]!.weight[1] = Array(12).fill(0);
    expect(errorOf(() => parseWeights(w, 'x.json'))).toBe(
      'x.json: layers[0] (action_net): weight row 1 has 12 columns, expected 13 (the size of the observation)',
    );
  });

  it('a hidden layer that does not chain names both layers', () => {
    const w = withHidden();
    layers(w)[1]!.weight = Array.from({ length: 3 }, () => Array(5).fill(0));
    expect(errorOf(() => parseWeights(w))).toMatch(
      /layers\[1\] \(action_net\): weight row 0 has 5 columns, expected 4 \(the size of layers\[0\] \(pi_fc0\)'s output\)/,
    );
  });

  it('bias length, output count and last activation are checked', () => {
    const a = good();
    layers(a)[0]!.bias = [0, 1];
    expect(errorOf(() => parseWeights(a))).toMatch(/layers\[0\] \(action_net\): bias has 2 values, expected 3/);
    const b = withHidden();
    layers(b)[1]!.weight.push(Array(4).fill(0));
    layers(b)[1]!.bias.push(0);
    expect(errorOf(() => parseWeights(b))).toMatch(
      /layers\[1\] \(action_net\) has 4 outputs, expected 3 \(one per action\)/,
    );
    const c = good();
    layers(c)[0]!.activation = 'tanh';
    expect(errorOf(() => parseWeights(c))).toMatch(/must have activation 'linear'/);
  });

  it('observation names, actions and normalization sizes must match the policy kind', () => {
    const a = good();
    (a.observation as string[]).reverse();
    expect(errorOf(() => parseWeights(a))).toMatch(/observation must be the 13 names \[returns, log_returns/);
    const b = good();
    b.actions = ['BUY', 'HOLD', 'SELL'];
    expect(errorOf(() => parseWeights(b))).toMatch(/actions must be \[SELL, HOLD, BUY\] for a single policy/);
    const c = good();
    (c.normalization as { var: number[] }).var.pop();
    expect(errorOf(() => parseWeights(c))).toMatch(/normalization.var has 12 values, expected 13/);
    const d = good();
    d.kind = 'dual';
    expect(errorOf(() => parseWeights(d))).toMatch(/observation must be the 26 names/);
  });

  it('schema problems list their paths', () => {
    const a = good();
    delete a.format;
    (a.normalization as { var: number[] }).var[2] = -1;
    layers(a)[0]!.weight[0]![0] = 'x' as unknown as number;
    const msg = errorOf(() => parseWeights(a, 'm.json'));
    expect(msg).toMatch(/^m\.json is not a valid policy weights file: /);
    expect(msg).toMatch(/format: /);
    expect(msg).toMatch(/normalization\.var\.2: variances must be ≥ 0/);
    expect(msg).toMatch(/layers\.0\.weight\.0\.0: /);
    const b = good();
    b.extra = 1;
    expect(errorOf(() => parseWeights(b))).toMatch(/extra/);
  });

  it('missing files and invalid JSON are clear errors', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    expect(errorOf(() => loadWeights('nope.json', t.dir))).toMatch(/cannot read policy weights .*nope\.json/);
    fs.writeFileSync(path.join(t.dir, 'bad.json'), '{"format": ');
    expect(errorOf(() => loadWeights('bad.json', t.dir))).toMatch(/bad\.json is not valid JSON/);
  });
});
