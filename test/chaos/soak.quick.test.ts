/** Soak, bounded: 20 simulated minutes with 10 symbols at 90× (heap slope, loop lag, DB vs retention). */
import { describe } from 'vitest';
import { quickScenarioTest } from './quick';

describe('chaos: soak', () => {
  quickScenarioTest('soak', 60_000);
});
