/** Provider chaos, bounded: 15 s (5 simulated minutes) of seeded faults across six provider fakes. */
import { describe } from 'vitest';
import { quickScenarioTest } from './quick';

describe('chaos: provider chaos', () => {
  quickScenarioTest('provider chaos', 90_000);
});
