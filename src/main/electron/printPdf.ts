/**
 * Report PDFs inside the app: the same self-contained HTML the CLI prints with Chromium, printed by
 * Electron's own Chromium in a hidden, sandboxed window with JavaScript off. The window loads the
 * report from a data: URL and may not navigate or fetch anything (the report needs nothing).
 */
import { BrowserWindow } from 'electron';

export async function printReportPdf(html: string): Promise<Uint8Array> {
  const win = new BrowserWindow({
    show: false,
    webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false },
  });
  try {
    win.webContents.on('will-navigate', (e) => e.preventDefault());
    win.webContents.session.webRequest.onBeforeRequest({ urls: ['http://*/*', 'https://*/*'] }, (_d, cb) =>
      cb({ cancel: true }),
    );
    await win.loadURL(`data:text/html;charset=utf-8,${encodeURIComponent(html)}`);
    return await win.webContents.printToPDF({ pageSize: 'A4', printBackground: true, preferCSSPageSize: true });
  } finally {
    win.destroy();
  }
}
