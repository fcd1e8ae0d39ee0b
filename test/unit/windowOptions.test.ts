import { describe, expect, it } from 'vitest';
import { buildWindowOptions } from '../../src/main/electron/windowOptions';

describe('BrowserWindow options', () => {
  it('isolate the renderer: context isolation, sandbox, no Node, web security on', () => {
    const opts = buildWindowOptions('/app/out/preload/index.cjs');
    expect(opts.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('restores saved bounds', () => {
    expect(buildWindowOptions('/p', { x: 10, y: 20, width: 1920, height: 1080 })).toMatchObject({
      x: 10,
      y: 20,
      width: 1920,
      height: 1080,
    });
  });
});
