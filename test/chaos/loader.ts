/**
 * Loads every scenario file under scenarios/ (Vite's eager glob: adding a file is enough) and runs
 * one. Kept apart from harness.ts, which the scenario files import, so the glob is not circular.
 */
import { registeredScenarios, type ChaosMode, type ChaosResult, type ChaosScenario } from './harness';

import.meta.glob('./scenarios/*.ts', { eager: true });

export function loadScenarios(): ChaosScenario<unknown>[] {
  return registeredScenarios();
}

export function getScenario(name: string): ChaosScenario<unknown> {
  const s = loadScenarios().find((x) => x.name === name);
  if (!s)
    throw new Error(
      `no chaos scenario ${name}; known: ${loadScenarios()
        .map((x) => x.name)
        .join(', ')}`,
    );
  return s;
}

export async function runScenario(
  scenario: ChaosScenario<unknown>,
  mode: ChaosMode,
  seed = Number(process.env.KESTREL_CHAOS_SEED ?? 20_260_301),
): Promise<ChaosResult> {
  const log = (line: string): void => {
    if (process.env.KESTREL_CHAOS_VERBOSE || mode === 'full') console.log(`[chaos ${scenario.name}] ${line}`);
  };
  return scenario.run(mode === 'quick' ? scenario.quick : scenario.full, { mode, seed, log });
}
