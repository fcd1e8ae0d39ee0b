/** The bounded version of a scenario for `npm test`: quick params, and all three figures must be 0. */
import { expect, it } from 'vitest';
import { getScenario, runScenario } from './loader';

export function quickScenarioTest(name: string, timeoutMs: number): void {
  it(`${name} (quick): nothing lost, duplicated or corrupted`, { timeout: timeoutMs }, async () => {
    const result = await runScenario(getScenario(name), 'quick');
    expect(result.runs).toBeGreaterThan(0);
    // The notes name every violation; they are the failure message.
    expect(
      { lost: result.lost, duplicated: result.duplicated, corrupted: result.corrupted, failed: result.failed },
      result.notes.join('\n'),
    ).toEqual({
      lost: 0,
      duplicated: 0,
      corrupted: 0,
      failed: [],
    });
  });
}
