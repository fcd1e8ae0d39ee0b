/** Renderer under load, bounded: 5 s of a 20k trades/s feed with frame times taken in headless Chromium (needs the built app). */
import { describe } from 'vitest';
import { quickScenarioTest } from './quick';

describe('chaos: renderer load', () => {
  quickScenarioTest('renderer load', 60_000);
});
