/**
 * `npm run chaos`: every registered scenario with its full parameters, one long test each, then
 * docs/reliability.md. KESTREL_CHAOS_ONLY=name[,name] runs a subset (the other rows are kept).
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { machineNote } from './harness';
import { loadScenarios, runScenario } from './loader';
import { writeReport, type ReportRow } from './report';

const only = (process.env.KESTREL_CHAOS_ONLY ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const scenarios = loadScenarios().filter((s) => only.length === 0 || only.includes(s.name));
const rows: ReportRow[] = [];

describe('chaos (full)', () => {
  it('has scenarios to run', () => {
    expect(scenarios.length).toBeGreaterThan(0);
  });

  for (const scenario of scenarios) {
    it(scenario.name, async () => {
      const seed = Number(process.env.KESTREL_CHAOS_SEED ?? 20_260_301);
      const started = Date.now();
      const result = await runScenario(scenario, 'full', seed);
      rows.push({
        ...result,
        scenario: scenario.name,
        description: scenario.description,
        seed,
        date: new Date().toISOString().slice(0, 10),
        machine: machineNote(),
        durationS: Math.round((Date.now() - started) / 1000),
      });
      console.log(`[chaos ${scenario.name}]`, JSON.stringify(result, null, 2));
      expect(result.runs).toBeGreaterThan(0);
      expect({
        lost: result.lost,
        duplicated: result.duplicated,
        corrupted: result.corrupted,
        failed: result.failed,
      }).toEqual({
        lost: 0,
        duplicated: 0,
        corrupted: 0,
        failed: [],
      });
    });
  }

  afterAll(async () => {
    if (rows.length > 0) await writeReport(path.resolve('docs/reliability.md'), rows);
  });
});
