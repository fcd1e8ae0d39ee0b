/**
 * Writes the reports a backtest was asked for. Each file is written beside its target and renamed,
 * so an interrupted export never leaves half a report. The lead's CLI and the app call this.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BacktestResult } from '../result';
import { CSV_FILES, equityCsv, ordersCsv, tradesCsv } from './csv';
import { renderHtml } from './html';
import { resultToJson } from './json';
import { htmlToPdf, type PdfOptions } from './pdf';
import { writeFileAtomic } from '../../commands/atomicFile';

export interface ReportTargets {
  html?: string;
  pdf?: string;
  json?: string;
  /** A directory for trades.csv, orders.csv and equity.csv; created if missing. */
  csvDir?: string;
}

/** The files written, in the order written. */
export async function writeReports(
  result: BacktestResult,
  targets: ReportTargets,
  pdfOptions: PdfOptions = {},
): Promise<string[]> {
  const written: string[] = [];
  const write = (file: string, text: string | Uint8Array): void => {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    writeFileAtomic(file, text);
    written.push(file);
  };
  if (targets.json) write(targets.json, resultToJson(result));
  if (targets.csvDir) {
    write(path.join(targets.csvDir, CSV_FILES.trades), tradesCsv(result));
    write(path.join(targets.csvDir, CSV_FILES.orders), ordersCsv(result));
    write(path.join(targets.csvDir, CSV_FILES.equity), equityCsv(result));
  }
  if (targets.html || targets.pdf) {
    const html = renderHtml(result);
    if (targets.html) write(targets.html, html);
    if (targets.pdf) write(targets.pdf, await htmlToPdf(html, pdfOptions));
  }
  return written;
}

export { renderHtml } from './html';
export { resultFromJson, resultToJson } from './json';
export { equityCsv, ordersCsv, tradesCsv } from './csv';
export { htmlToPdf } from './pdf';
