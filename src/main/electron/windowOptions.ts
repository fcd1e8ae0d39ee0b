import type { BrowserWindowConstructorOptions } from 'electron';

export interface WindowBounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
}

/** The window's security settings live here, in one function a unit test asserts. */
export function buildWindowOptions(
  preloadPath: string,
  bounds: WindowBounds = { width: 1440, height: 900 },
): BrowserWindowConstructorOptions {
  return {
    ...bounds,
    minWidth: 1024,
    minHeight: 640,
    show: false,
    backgroundColor: '#0d1117',
    title: 'Kestrel',
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
    },
  };
}
