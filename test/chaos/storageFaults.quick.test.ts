/** Storage faults, bounded: one full-disk round and the read-only data dir (needs the built app). */
import { describe } from 'vitest';
import { quickScenarioTest } from './quick';

describe('chaos: storage faults', () => {
  quickScenarioTest('storage faults', 60_000);
});
