/** IPC and WebSocket fuzzing, bounded: 10,000 frames over both transports with the kill switch timed throughout. */
import { describe } from 'vitest';
import { quickScenarioTest } from './quick';

describe('chaos: ipc fuzz', () => {
  quickScenarioTest('ipc fuzz', 60_000);
});
