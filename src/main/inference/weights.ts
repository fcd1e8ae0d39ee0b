/**
 * The policy weights file (docs/signals.md): JSON, checked with zod for its shape and then for
 * its dimensions, layer by layer, so a bad export says which layer is wrong and how.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { FEATURE_NAMES } from '../features/names';
import { OBSERVATION_SIZE, POLICY_ACTIONS, type PolicyKind } from './policy';

export const WEIGHTS_FORMAT = 'kestrel-policy/1';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

const Layer = z
  .object({
    name: z.string().min(1).optional(),
    /** PyTorch nn.Linear layout: one row per output, one column per input. */
    weight: z.array(z.array(finite).min(1)).min(1),
    bias: z.array(finite).min(1),
    /** Applied after this layer. The last layer must be 'linear': its outputs are the logits fed to softmax. */
    activation: z.enum(['tanh', 'relu', 'linear']),
  })
  .strict();

export const WeightsFile = z
  .object({
    format: z.literal(WEIGHTS_FORMAT),
    kind: z.enum(['single', 'dual']),
    name: z.string().min(1),
    description: z.string().optional(),
    /** Names of the observation values, in order: must be the policy's (see observationNames). */
    observation: z.array(z.string()),
    /** Names of the outputs, in order: must be SINGLE_ACTIONS or DUAL_ACTIONS. */
    actions: z.array(z.string()),
    /** VecNormalize statistics: clip((x − mean) / sqrt(var + epsilon), −clip, clip). null: raw observations. */
    normalization: z
      .object({
        mean: z.array(finite),
        var: z.array(finite.refine((v) => v >= 0, 'variances must be ≥ 0')),
        epsilon: finite.refine((v) => v > 0, 'must be > 0').default(1e-8),
        clip: finite.refine((v) => v > 0, 'must be > 0').default(10),
      })
      .strict()
      .nullable(),
    layers: z.array(Layer).min(1),
  })
  .strict();
export type WeightsFile = z.infer<typeof WeightsFile>;

export class WeightsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WeightsError';
  }
}

/** The observation the policy of `kind` expects, by name: `<feature>_a`, `position_a`, … for the dual policy. */
export function observationNames(kind: PolicyKind): string[] {
  const one = [...FEATURE_NAMES, 'position'];
  return kind === 'single' ? one : [...one.map((n) => `${n}_a`), ...one.map((n) => `${n}_b`)];
}

function layerLabel(w: WeightsFile, i: number): string {
  const name = w.layers[i]?.name;
  return name ? `layers[${i}] (${name})` : `layers[${i}]`;
}

/** Shape checks zod cannot express: every dimension must chain from the observation to the actions. */
function checkDimensions(w: WeightsFile, source: string): void {
  const fail = (msg: string): never => {
    throw new WeightsError(`${source}: ${msg}`);
  };
  const obsSize = OBSERVATION_SIZE[w.kind];
  const wantObs = observationNames(w.kind);
  if (w.observation.length !== obsSize || w.observation.some((n, i) => n !== wantObs[i])) {
    fail(`observation must be the ${obsSize} names [${wantObs.join(', ')}], got [${w.observation.join(', ')}]`);
  }
  const wantActions = POLICY_ACTIONS[w.kind];
  if (w.actions.length !== wantActions.length || w.actions.some((a, i) => a !== wantActions[i])) {
    fail(`actions must be [${wantActions.join(', ')}] for a ${w.kind} policy, got [${w.actions.join(', ')}]`);
  }
  if (w.normalization) {
    const { mean, var: variance } = w.normalization;
    if (mean.length !== obsSize) fail(`normalization.mean has ${mean.length} values, expected ${obsSize}`);
    if (variance.length !== obsSize) fail(`normalization.var has ${variance.length} values, expected ${obsSize}`);
  }
  let inputs = obsSize;
  let from = 'the observation';
  w.layers.forEach((layer, i) => {
    const label = layerLabel(w, i);
    const outputs = layer.weight.length;
    layer.weight.forEach((row, r) => {
      if (row.length !== inputs) {
        fail(`${label}: weight row ${r} has ${row.length} columns, expected ${inputs} (the size of ${from})`);
      }
    });
    if (layer.bias.length !== outputs) {
      fail(`${label}: bias has ${layer.bias.length} values, expected ${outputs} (the rows of its weight)`);
    }
    inputs = outputs;
    from = `${label}'s output`;
  });
  const last = w.layers.length - 1;
  if (inputs !== wantActions.length) {
    fail(`${layerLabel(w, last)} has ${inputs} outputs, expected ${wantActions.length} (one per action)`);
  }
  if (w.layers[last]!.activation !== 'linear') {
    fail(
      `${layerLabel(w, last)} must have activation 'linear' (its outputs are the logits), got '${w.layers[last]!.activation}'`,
    );
  }
}

/** Validates parsed JSON; `source` names the file in errors. */
export function parseWeights(json: unknown, source = 'weights'): WeightsFile {
  const parsed = WeightsFile.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ');
    throw new WeightsError(`${source} is not a valid policy weights file: ${problems}`);
  }
  checkDimensions(parsed.data, source);
  return parsed.data;
}

/** Reads and validates a weights file; relative paths are taken from `baseDir` (the resources dir). */
export function loadWeights(file: string, baseDir = '.'): WeightsFile {
  const full = path.resolve(baseDir, file);
  let text: string;
  try {
    text = fs.readFileSync(full, 'utf8');
  } catch (err) {
    throw new WeightsError(`cannot read policy weights ${full}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new WeightsError(`${full} is not valid JSON: ${(err as Error).message}`);
  }
  return parseWeights(json, full);
}
