/**
 * The ONNX-free policy: VecNormalize-style normalisation, then dense layers (tanh / relu hidden,
 * linear logits), then softmax. Weights are copied into flat typed arrays and every intermediate
 * goes into a buffer allocated once, so `infer` allocates nothing.
 */
import { POLICY_ACTIONS, type Policy, type PolicyKind, type PolicyOutput } from './policy';
import { parseWeights, type WeightsFile } from './weights';

const TANH = 0;
const RELU = 1;
const LINEAR = 2;
const ACTIVATION = { tanh: TANH, relu: RELU, linear: LINEAR } as const;

interface DenseLayer {
  inputs: number;
  outputs: number;
  /** Row-major, outputs × inputs. */
  weight: Float64Array;
  bias: Float64Array;
  activation: number;
  out: Float64Array;
}

export class MlpPolicy implements Policy {
  readonly kind: PolicyKind;
  readonly name: string;
  private readonly mean: Float64Array | null;
  private readonly invStd: Float64Array | null;
  /** [clip], in a typed array so it is read as a double: a Smi clip (JSON 10) would make V8 box every unclipped input. */
  private readonly clip = new Float64Array(1);
  private readonly input: Float64Array;
  private readonly layers: DenseLayer[];
  private readonly output: PolicyOutput;

  /** `weights` is parsed and validated here too, so hand-built objects get the same checks as files. */
  constructor(weights: WeightsFile | unknown, source = 'weights') {
    const w = parseWeights(weights, source);
    this.kind = w.kind;
    this.name = w.name;
    const n = w.observation.length;
    this.input = new Float64Array(n);
    if (w.normalization) {
      const { mean, var: variance, epsilon, clip } = w.normalization;
      this.mean = Float64Array.from(mean);
      this.invStd = Float64Array.from(variance, (v) => 1 / Math.sqrt(v + epsilon));
      this.clip[0] = clip;
    } else {
      this.mean = this.invStd = null;
      this.clip[0] = Infinity;
    }
    this.layers = w.layers.map((l) => ({
      inputs: l.weight[0]!.length,
      outputs: l.weight.length,
      weight: Float64Array.from(l.weight.flat()),
      bias: Float64Array.from(l.bias),
      activation: ACTIVATION[l.activation],
      out: new Float64Array(l.weight.length),
    }));
    this.output = { probs: new Float64Array(POLICY_ACTIONS[w.kind].length), action: 0, confidence: 0 };
  }

  infer(observation: Float64Array): PolicyOutput {
    const x = this.input;
    const mean = this.mean;
    const invStd = this.invStd;
    const clip = this.clip[0]!;
    for (let i = 0; i < x.length; i++) {
      const v = mean && invStd ? (observation[i]! - mean[i]!) * invStd[i]! : observation[i]!;
      x[i] = v > clip ? clip : v < -clip ? -clip : v;
    }
    let input = x;
    const layers = this.layers;
    for (let l = 0; l < layers.length; l++) {
      const layer = layers[l]!;
      const inputs = layer.inputs;
      const outputs = layer.outputs;
      const weight = layer.weight;
      const bias = layer.bias;
      const activation = layer.activation;
      const out = layer.out;
      for (let o = 0; o < outputs; o++) {
        let s = bias[o]!;
        const row = o * inputs;
        for (let i = 0; i < inputs; i++) s += weight[row + i]! * input[i]!;
        out[o] = activation === TANH ? Math.tanh(s) : activation === RELU ? (s > 0 ? s : 0) : s;
      }
      input = out;
    }
    return this.softmax(input);
  }

  /** Numerically stable softmax (max subtracted) and argmax; the first maximum wins ties. */
  private softmax(logits: Float64Array): PolicyOutput {
    const out = this.output;
    const probs = out.probs;
    let max = -Infinity;
    for (let k = 0; k < logits.length; k++) if (logits[k]! > max) max = logits[k]!;
    let sum = 0;
    for (let k = 0; k < logits.length; k++) {
      const e = Math.exp(logits[k]! - max);
      probs[k] = e;
      sum += e;
    }
    let best = 0;
    for (let k = 0; k < probs.length; k++) {
      probs[k] = probs[k]! / sum;
      if (probs[k]! > probs[best]!) best = k;
    }
    out.action = best;
    out.confidence = probs[best]!;
    return out;
  }
}
