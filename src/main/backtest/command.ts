/**
 * `kestrel backtest`: bars from a CSV (--in) or the data dir's SQLite (--symbols), the live
 * pipeline in a worker thread, then the reports. A progress bar on stderr when it is a TTY, one
 * summary line at the end. Exit codes follow the CLI's: 1 bad input (corrupt CSV, gaps without
 * --allow-gaps, no bars), 2 usage.
 */
import { performance } from 'node:perf_hooks';
import { parseInstant, type CommandIo } from '../commands/barsCommands';
import type { Clock } from '../clock';
import { BacktestParams, type BacktestParamsInput } from './params';
import { writeReports } from './report';
import type { BacktestResult } from './result';
import { BacktestDataError, GapError } from './source';
import { runInWorker, type WorkerOutcome } from './worker';

export interface BacktestArgs {
  dataDir: string;
  in?: string;
  symbols?: string;
  from?: string;
  to?: string;
  interval?: string;
  policy?: string;
  cash?: string;
  slippageBps?: string;
  commission?: string;
  fill?: string;
  allowGaps?: boolean;
  out?: string;
  pdf?: string;
  json?: string;
  csvDir?: string;
}

export interface BacktestCommandOptions {
  clock: Clock;
  /** Where the progress bar goes; drawn only when it is a TTY. */
  progress?: NodeJS.WriteStream;
  /** Tests: the built worker. */
  workerFile?: string;
  resourcesDir?: string;
  /** Ctrl+C. */
  signal?: AbortSignal;
}

const USAGE_HINT =
  'usage: kestrel backtest --in BARS.csv | --symbols X,Y [--from T --to T] [--interval 1m|1d] --out report.html [...]';

/** Builds the params from the flags, or a usage message. */
export function paramsFromArgs(args: BacktestArgs): BacktestParamsInput | string {
  if (!args.out && !args.json && !args.pdf && !args.csvDir) {
    return 'backtest needs an output: --out report.html (and/or --pdf, --json, --csv-dir)';
  }
  if (!!args.in === !!args.symbols) return 'backtest needs exactly one of --in BARS.csv or --symbols X,Y';
  const num = (flag: string, v: string | undefined): number | undefined | string => {
    if (v === undefined) return undefined;
    const n = Number(v);
    return v.trim() !== '' && Number.isFinite(n) ? n : `--${flag} must be a number, not ${JSON.stringify(v)}`;
  };
  const instant = (flag: string, v: string | undefined): number | null | string => {
    if (v === undefined) return null;
    const t = parseInstant(v);
    return typeof t === 'string' ? `--${flag}: ${t}` : t;
  };
  const cash = num('cash', args.cash);
  const slippage = num('slippage-bps', args.slippageBps);
  const from = instant('from', args.from);
  const to = instant('to', args.to);
  for (const v of [cash, slippage, from, to]) if (typeof v === 'string') return v;
  if (args.interval !== undefined && args.interval !== '1m' && args.interval !== '1d') {
    return `--interval must be 1m or 1d, not ${JSON.stringify(args.interval)}`;
  }
  if (args.commission !== undefined && !['ib-fixed', 'ib-tiered', 'none'].includes(args.commission)) {
    return `--commission must be ib-fixed, ib-tiered or none, not ${JSON.stringify(args.commission)}`;
  }
  if (args.fill !== undefined && args.fill !== 'next-open' && args.fill !== 'same-close') {
    return `--fill must be next-open or same-close, not ${JSON.stringify(args.fill)}`;
  }
  const input: BacktestParamsInput = {
    source: args.in ? { kind: 'csv', file: args.in } : { kind: 'sqlite', dataDir: args.dataDir },
    symbols: args.symbols
      ? args.symbols
          .split(',')
          .map((s) => s.trim().toUpperCase())
          .filter((s) => s !== '')
      : [],
    interval: (args.interval as '1m' | '1d' | undefined) ?? (args.symbols ? '1m' : null),
    from: from as number | null,
    to: to as number | null,
    policy: args.policy ?? null,
    allowGaps: args.allowGaps ?? false,
    ...(cash !== undefined ? { initialCash: cash as number } : {}),
    ...(slippage !== undefined ? { slippageBps: slippage as number } : {}),
    ...(args.commission ? { commission: args.commission as 'ib-fixed' } : {}),
    ...(args.fill ? { fillAt: args.fill as 'next-open' | 'same-close' } : {}),
  };
  const checked = BacktestParams.safeParse(input);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    return `invalid backtest options: ${issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue?.message ?? ''}`;
  }
  return input;
}

export async function backtestCommand(
  args: BacktestArgs,
  io: CommandIo,
  opts: BacktestCommandOptions,
): Promise<number> {
  const params = paramsFromArgs(args);
  if (typeof params === 'string') {
    io.err(`kestrel: ${params}\n${USAGE_HINT}`);
    return 2;
  }
  const bar = progressBar(opts.progress);
  const t0 = performance.now();
  let outcome: WorkerOutcome;
  try {
    outcome = await runInWorker(params, {
      clock: opts.clock,
      onProgress: (p) => bar.update(p.done, p.total),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.workerFile ? { workerFile: opts.workerFile } : {}),
      ...(opts.resourcesDir ? { resourcesDir: opts.resourcesDir } : {}),
    });
  } catch (err) {
    bar.clear();
    if (err instanceof GapError || err instanceof BacktestDataError) {
      io.err(`kestrel: backtest not run: ${err.message}`);
      return 1;
    }
    io.err(`kestrel: backtest failed: ${(err as Error).message}`);
    return 1;
  }
  bar.clear();
  const seconds = (performance.now() - t0) / 1000;
  if (outcome.status === 'cancelled') {
    io.err(`kestrel: backtest cancelled after ${outcome.barsDone} bars; no report written`);
    return 1;
  }
  const { result, summary } = outcome;
  let written: string[];
  try {
    written = await writeReports(result, {
      ...(args.out ? { html: args.out } : {}),
      ...(args.pdf ? { pdf: args.pdf } : {}),
      ...(args.json ? { json: args.json } : {}),
      ...(args.csvDir ? { csvDir: args.csvDir } : {}),
    });
  } catch (err) {
    io.err(`kestrel: the backtest ran but a report could not be written: ${(err as Error).message}`);
    return 1;
  }
  if (result.gaps.length > 0)
    io.err(`kestrel: ran over ${result.gaps.length} gaps (--allow-gaps); listed in the report`);
  for (const a of summary.alerts) io.err(`kestrel: ${a}`);
  io.out(summaryLine(result, summary.bars / seconds));
  io.out(`kestrel: wrote ${written.join(', ')}`);
  return 0;
}

export function summaryLine(r: BacktestResult, barsPerSecond: number): string {
  const pct = (x: number | null) => (x === null ? 'n/a' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%`);
  const s = r.statistics;
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  return (
    `kestrel: backtest ${r.parameters.symbols.join(',')} ${r.parameters.interval} ` +
    `${r.dataRange.firstBarTs === null ? '' : day(r.dataRange.firstBarTs)}..${r.dataRange.lastBarTs === null ? '' : day(r.dataRange.lastBarTs)} ` +
    `(${r.fillModel.name}): total return ${pct(s.returns.totalReturn)}, ` +
    `Sharpe ${s.returns.sharpe === null ? 'n/a' : s.returns.sharpe.toFixed(2)}, max DD ${pct(s.drawdown.maxDrawdown)}, ` +
    `${s.trades.count} trades, ${r.dataRange.bars.toLocaleString('en-US')} bars at ${Math.round(barsPerSecond).toLocaleString('en-US')} bars/s`
  );
}

/** A one-line bar redrawn in place; a no-op when the stream is not a TTY (logs, pipes, tests). */
function progressBar(stream: NodeJS.WriteStream | undefined): {
  update: (done: number, total: number) => void;
  clear: () => void;
} {
  if (!stream?.isTTY) return { update: () => {}, clear: () => {} };
  const width = 30;
  let drawn = false;
  return {
    update(done, total) {
      const f = total > 0 ? done / total : 0;
      const full = Math.round(f * width);
      stream.write(
        `\r  backtest [${'#'.repeat(full)}${'-'.repeat(width - full)}] ${(f * 100).toFixed(0).padStart(3)}%  ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} bars`,
      );
      drawn = true;
    },
    clear() {
      if (drawn) stream.write('\r\x1b[2K');
      drawn = false;
    },
  };
}
