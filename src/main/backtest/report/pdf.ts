/**
 * PDF from the report's HTML with headless Chromium (the CLI and headless-mode path; the app
 * prints with Electron's printToPDF instead). playwright-core is loaded only when a PDF is asked
 * for, so nothing else pays for it. Network is cut for the page: the HTML needs none.
 */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** A quiet, offline headless Chromium: no sandbox (containers), no GPU, no background traffic. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export interface PdfOptions {
  /** Chromium binary; KESTREL_CHROMIUM, then /usr/bin/chromium. */
  executablePath?: string;
  /** Prints instead of Chromium: inside the app, Electron's printToPDF (src/main/electron/printPdf.ts). */
  print?: (html: string) => Promise<Uint8Array>;
}

export async function htmlToPdf(html: string, opts: PdfOptions = {}): Promise<Uint8Array> {
  if (opts.print) return opts.print(html);
  const executablePath = opts.executablePath ?? process.env.KESTREL_CHROMIUM ?? DEFAULT_CHROMIUM;
  const { chromium } = await import('playwright-core');
  let browser;
  try {
    browser = await chromium.launch({
      executablePath,
      args: [...CHROMIUM_ARGS],
    });
  } catch (err) {
    throw new Error(
      `cannot start Chromium at ${executablePath} to print the PDF: ${(err as Error).message.split('\n')[0]}`,
    );
  }
  try {
    const context = await browser.newContext({ offline: true, javaScriptEnabled: false });
    const page = await context.newPage();
    // Belt and braces: the page is self-contained, so any request is a bug; refuse it.
    await page.route(/^(https?|wss?|ftp):/, (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
    await page.emulateMedia({ media: 'print' });
    return await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
  } finally {
    await browser.close();
  }
}
