/**
 * The chaos harness (docs/reliability.md). A scenario is one file in test/chaos/scenarios/ that
 * calls `registerScenario`: a name, quick params (bounded, run inside `npm test`), full params
 * (`npm run chaos`) and `run(params)`. Every scenario reports the three figures the reliability
 * table publishes, which must all be 0: orders or fills lost, duplicated, and state corrupted.
 */
import os from 'node:os';

export type ChaosMode = 'quick' | 'full';

export interface ChaosResult {
  /** How many times the fault was injected and checked (kills, faulted writes, ...). */
  runs: number;
  lost: number;
  duplicated: number;
  corrupted: number;
  /** Other figures worth publishing, e.g. `{ ordersAcked: 812 }`. */
  figures: Record<string, number | string>;
  /** What ran and what was seen; every violation is named here. */
  notes: string[];
  /** Expected behaviour that did not happen (e.g. "trading did not halt"): must be empty too. */
  failed: string[];
}

export interface ChaosContext {
  mode: ChaosMode;
  /** Seed for the scenario's PRNG: same seed, same fault schedule. */
  seed: number;
  log: (line: string) => void;
}

export interface ChaosScenario<P = unknown> {
  name: string;
  /** One line for the reliability table. */
  description: string;
  quick: P;
  full: P;
  run: (params: P, ctx: ChaosContext) => Promise<ChaosResult>;
}

const registry = new Map<string, ChaosScenario<unknown>>();

export function registerScenario<P>(scenario: ChaosScenario<P>): ChaosScenario<P> {
  if (registry.has(scenario.name)) throw new Error(`chaos scenario ${scenario.name} registered twice`);
  registry.set(scenario.name, scenario as unknown as ChaosScenario<unknown>);
  return scenario;
}

/** Registered so far; `loadScenarios` (loader.ts) imports every scenario file first. */
export function registeredScenarios(): ChaosScenario<unknown>[] {
  return [...registry.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export function emptyResult(): ChaosResult {
  return { runs: 0, lost: 0, duplicated: 0, corrupted: 0, figures: {}, notes: [], failed: [] };
}

/** mulberry32: a small seeded PRNG so a failing fault schedule can be replayed. */
export function prng(seed: number): { next: () => number; int: (lo: number, hi: number) => number } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return { next, int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)) };
}

export function machineNote(): string {
  const cpus = os.cpus();
  return `${cpus.length}× ${cpus[0]?.model.trim() ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}`;
}
