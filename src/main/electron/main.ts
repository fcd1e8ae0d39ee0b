/**
 * The Electron shell: one window, a custom app:// protocol for the renderer, and the contract over
 * IPC. All engine logic lives in plain-Node modules; this file only wires them to Electron.
 */
import { app, BrowserWindow, ipcMain, net, protocol, session, shell } from 'electron';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SystemClock } from '../clock';
import { resolveConfig } from '../config';
import { Engine } from '../engine';
import { createLogger } from '../observability/logger';
import { contentSecurityPolicy } from '../transport/http';
import { attachIpcTransport } from './ipcTransport';
import { buildWindowOptions } from './windowOptions';

const SCHEME = 'app';
const ORIGIN = `${SCHEME}://kestrel`;
const here = path.dirname(fileURLToPath(import.meta.url));
const rendererDir = path.resolve(here, '../renderer');

protocol.registerSchemesAsPrivileged([
  { scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void run();
}

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function run(): Promise<void> {
  await app.whenReady();
  const config = resolveConfig({
    flags: { dataDir: argValue('--data-dir'), symbols: argValue('--symbols') },
    env: process.env,
    appDataDir: app.getPath('userData'),
    // Packaged builds ship resources/ as extraResources; a dev run reads the checkout's.
    resourcesDir: app.isPackaged
      ? path.join(process.resourcesPath, 'resources')
      : path.resolve(here, '../../resources'),
  });
  const log = createLogger(config.dataDir);
  const engine = new Engine({ config, clock: new SystemClock(), log, host: 'electron' });

  protocol.handle(SCHEME, (req) => {
    const url = new URL(req.url);
    const file = path.resolve(
      rendererDir,
      `.${url.pathname === '/' ? '/index.html' : decodeURIComponent(url.pathname)}`,
    );
    if (!file.startsWith(rendererDir + path.sep)) return new Response('Not Found', { status: 404 });
    return net.fetch(pathToFileURL(file).toString());
  });

  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy()] } });
  });

  const window = new BrowserWindow(buildWindowOptions(path.resolve(here, '../preload/index.cjs')));
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  window.webContents.on('will-navigate', (event, url) => {
    if (!url.startsWith(ORIGIN)) event.preventDefault();
  });
  window.once('ready-to-show', () => window.show());

  const detach = attachIpcTransport({
    ipcMain,
    contract: engine.server,
    isOwnOrigin: (url) => url === ORIGIN || url.startsWith(`${ORIGIN}/`),
    targets: () => BrowserWindow.getAllWindows().map((w) => w.webContents),
  });
  engine.start();

  const devUrl = process.env.ELECTRON_RENDERER_URL;
  await window.loadURL(!app.isPackaged && devUrl ? devUrl : `${ORIGIN}/index.html`);

  app.on('second-instance', () => {
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    event.preventDefault();
    quitting = true;
    detach();
    void engine.stop().finally(() => app.exit(0));
  });
  app.on('window-all-closed', () => app.quit());
}
