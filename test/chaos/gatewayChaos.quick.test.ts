/** Gateway chaos, bounded: a few seeded fault rounds of live orders against the fake IB Gateway. */
import { describe } from 'vitest';
import { quickScenarioTest } from './quick';

describe('chaos: gateway chaos', () => {
  quickScenarioTest('gateway chaos', 90_000);
});
