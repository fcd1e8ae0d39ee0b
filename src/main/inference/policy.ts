/**
 * A policy maps an observation to action probabilities and picks the most probable action
 * (deterministic, like SB3's `predict(deterministic=True)`). Two shapes exist:
 * - single: 12 features + position of one symbol → SELL / HOLD / BUY;
 * - dual: 12 features + position of A, then of B → the 9 joint actions of DUAL_ACTIONS.
 *
 * `infer` may throw (a broken weights file, a bug): `GuardedPolicy` turns that into HOLD with
 * confidence 0, counts it and lets the caller record the decision, so none is skipped silently.
 */
import { DUAL_ACTIONS, SINGLE_ACTIONS } from '../../shared/domain';
import { FEATURE_COUNT } from '../features/names';

export type PolicyKind = 'single' | 'dual';

/** Per symbol: the 12 features, then the position (signed units; 0 = flat). */
export const SYMBOL_OBSERVATION_SIZE = FEATURE_COUNT + 1;

export const POLICY_ACTIONS: Record<PolicyKind, readonly string[]> = {
  single: SINGLE_ACTIONS,
  dual: DUAL_ACTIONS,
};

export const OBSERVATION_SIZE: Record<PolicyKind, number> = {
  single: SYMBOL_OBSERVATION_SIZE,
  dual: 2 * SYMBOL_OBSERVATION_SIZE,
};

/** Index of the HOLD action (HOLD_BOTH for the dual policy): the fallback. */
export const HOLD_INDEX: Record<PolicyKind, number> = {
  single: SINGLE_ACTIONS.indexOf('HOLD'),
  dual: DUAL_ACTIONS.indexOf('HOLD_BOTH'),
};

/** Reused by every call: copy what you keep. */
export interface PolicyOutput {
  readonly probs: Float64Array;
  action: number;
  /** probs[action]. */
  confidence: number;
}

export interface Policy {
  readonly kind: PolicyKind;
  readonly name: string;
  /** Fills and returns the policy's output buffer. */
  infer(observation: Float64Array): PolicyOutput;
}

/** A decision that always exists: the policy's, or HOLD with confidence 0 and the error. */
export interface GuardedOutput extends PolicyOutput {
  /** Why inference failed; null when it did not. */
  error: string | null;
}

export class GuardedPolicy {
  errors = 0;
  private readonly out: GuardedOutput;
  private readonly hold: number;

  constructor(readonly policy: Policy) {
    this.hold = HOLD_INDEX[policy.kind];
    this.out = {
      probs: new Float64Array(POLICY_ACTIONS[policy.kind].length),
      action: this.hold,
      confidence: 0,
      error: null,
    };
  }

  get kind(): PolicyKind {
    return this.policy.kind;
  }

  decide(observation: Float64Array): GuardedOutput {
    const out = this.out;
    try {
      if (observation.length !== OBSERVATION_SIZE[this.policy.kind]) {
        throw new RangeError(
          `observation has ${observation.length} values, the ${this.policy.kind} policy takes ${OBSERVATION_SIZE[this.policy.kind]}`,
        );
      }
      const r = this.policy.infer(observation);
      // A NaN anywhere (e.g. from an infinite observation) would make argmax meaningless.
      if (!(r.confidence >= 0 && r.confidence <= 1) || r.probs.length !== out.probs.length) {
        throw new RangeError(`policy ${this.policy.name} returned invalid probabilities`);
      }
      out.probs.set(r.probs);
      out.action = r.action;
      out.confidence = r.confidence;
      out.error = null;
    } catch (err) {
      this.errors++;
      out.probs.fill(0);
      out.action = this.hold;
      out.confidence = 0;
      out.error = err instanceof Error ? err.message : String(err);
    }
    return out;
  }
}

/** Stands in when the weights file cannot be loaded: every decision is an inference error, recorded. */
export class UnavailablePolicy implements Policy {
  constructor(
    readonly kind: PolicyKind,
    private readonly why: string,
    readonly name = 'unavailable',
  ) {}

  infer(): PolicyOutput {
    throw new Error(this.why);
  }
}
