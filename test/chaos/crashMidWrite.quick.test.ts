/** Crash mid-write, bounded: three SIGKILLs of `kestrel serve` (needs the built app, as `npm test` builds first). */
import { describe } from 'vitest';
import { quickScenarioTest } from './quick';

describe('chaos: crash mid-write', () => {
  quickScenarioTest('crash mid-write', 60_000);
});
