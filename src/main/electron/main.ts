/**
 * The Electron shell: one window, a custom app:// protocol for the renderer, and the contract over
 * IPC. All engine logic lives in plain-Node modules; this file only wires them to Electron.
 */
import { app, BrowserWindow, ipcMain, net, protocol, screen, session, shell } from 'electron';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SystemClock } from '../clock';
import { resolveConfig, resolveDataDir } from '../config';
import { Engine } from '../engine';
import { createLogger } from '../observability/logger';
import { contentSecurityPolicy } from '../transport/http';
import { EncryptedSecretStore, SECRETS_FILE } from '../settings/encryptedSecretStore';
import { attachIpcTransport } from './ipcTransport';
import { printReportPdf } from './printPdf';
import { attachDesktopNotifications } from './notifications';
import { decideWindowOpen, isAllowedNavigation } from './navigation';
import { electronSecretCrypto, safeStorageWarning } from './safeStorage';
import { buildWindowOptions } from './windowOptions';
import { loadWindowState, trackWindowState } from './windowState';

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
  const flags = { dataDir: argValue('--data-dir'), symbols: argValue('--symbols') };
  // Keys saved in settings, encrypted by the OS; the environment still beats them (docs/settings.md).
  const secrets = new EncryptedSecretStore(
    path.join(resolveDataDir({ flags, env: process.env, appDataDir: app.getPath('userData') }), SECRETS_FILE),
    electronSecretCrypto(),
    process.env,
  );
  const config = resolveConfig({
    flags,
    env: process.env,
    secrets,
    appDataDir: app.getPath('userData'),
    // Packaged builds ship resources/ as extraResources; a dev run reads the checkout's.
    resourcesDir: app.isPackaged
      ? path.join(process.resourcesPath, 'resources')
      : path.resolve(here, '../../resources'),
  });
  const log = createLogger(config.dataDir);
  const engine = new Engine({
    config,
    clock: new SystemClock(),
    log,
    host: 'electron',
    secrets,
    printPdf: printReportPdf,
  });
  const keyringWarning = safeStorageWarning();
  if (keyringWarning) log.warn(keyringWarning);
  if (secrets.problem) log.warn(secrets.problem);

  protocol.handle(SCHEME, async (req) => {
    const url = new URL(req.url);
    const file = path.resolve(
      rendererDir,
      `.${url.pathname === '/' ? '/index.html' : decodeURIComponent(url.pathname)}`,
    );
    if (!file.startsWith(rendererDir + path.sep)) return new Response('Not Found', { status: 404 });
    // The CSP rides on the response itself too: webRequest does not see every custom-protocol load.
    const res = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(res.headers);
    headers.set('Content-Security-Policy', contentSecurityPolicy());
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  });

  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy()] } });
  });

  // Every web contents, present and future: no navigation away, no webviews, no new windows.
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  const ownOrigins = !app.isPackaged && devUrl ? [ORIGIN, devUrl] : [ORIGIN];
  const denyForeign = (event: { preventDefault(): void }, url: string): void => {
    if (!isAllowedNavigation(url, ownOrigins)) {
      event.preventDefault();
      log.warn({ url }, 'navigation denied');
    }
  };
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', denyForeign);
    contents.on('will-redirect', denyForeign);
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      const decision = decideWindowOpen(url);
      if (decision.openExternal) void shell.openExternal(decision.openExternal);
      else log.warn({ url }, 'window.open denied');
      return { action: decision.action };
    });
  });

  const workAreas = screen.getAllDisplays().map((d) => d.workArea);
  const saved = loadWindowState(config.dataDir, workAreas);
  if (saved.problem) log.warn({ problem: saved.problem }, 'window state not restored; using defaults');
  const window = new BrowserWindow(buildWindowOptions(path.resolve(here, '../preload/index.cjs'), saved.state.bounds));
  trackWindowState(window, { dataDir: config.dataDir, onError: (err) => log.warn({ err }, 'window state not saved') });
  window.once('ready-to-show', () => {
    // maximize() shows the window by itself, so it waits for the first paint like show() does.
    if (saved.state.maximized) window.maximize();
    window.show();
  });

  const detach = attachIpcTransport({
    ipcMain,
    contract: engine.server,
    isOwnOrigin: (url) => url === ORIGIN || url.startsWith(`${ORIGIN}/`),
    targets: () => BrowserWindow.getAllWindows().map((w) => w.webContents),
  });
  attachDesktopNotifications(engine);
  engine.start();

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
