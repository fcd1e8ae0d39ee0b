/**
 * The `kestrel` command. Plain Node: it never imports Electron.
 *   kestrel serve [--port N] [--data-dir DIR] [--symbols A,B]
 *   kestrel doctor [--data-dir DIR]
 *   kestrel import / export / features / config validate: see USAGE
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SystemClock } from './clock';
import { writeFileAtomic } from './commands/atomicFile';
import { exportCommand, importCommand, type CommandIo } from './commands/barsCommands';
import { backtestCommand } from './backtest/command';
import { ConfigError, loadConfigFile, resolveConfig } from './config';
import { doctorReport } from './doctor';
import { featuresCsvFromBarsCsv } from './features/csv';
import { startHeadless } from './headless';
import { createLogger } from './observability/logger';
import { ensureWritableDir, StorageError } from './storage/db';

export { findElectronBinary } from './electronBinary';

const USAGE = `usage: kestrel <command> [options]
  serve   [--port N] [--data-dir DIR] [--symbols NVDA,MSFT] [--ib-host H --ib-port P --ib-client-id N]
                                                              headless mode: UI and engine on 127.0.0.1
  doctor  [--data-dir DIR]                                    versions, data dir, IB ports, provider keys
  import  --csv FILE [--symbol X] [--interval 1m|1d] [--data-dir DIR]
                                                              bars from CSV (ts_ms or ISO times, OHLCV); a bad row imports nothing
  export  --symbol X [--from T] [--to T] [--interval 1m|1d] --out FILE.csv [--data-dir DIR]
                                                              stored bars to CSV; T is epoch ms or ISO (2026-03-02T14:30:00Z)
  features --in BARS.csv --out FEATURES.csv                   the 12 features per bar, as the pandas reference computes them
  backtest --in BARS.csv | --symbols X,Y [--from T] [--to T] [--interval 1m|1d] [--policy WEIGHTS.json] [--cash N]
           [--slippage-bps N] [--commission ib-fixed|ib-tiered|none] [--fill next-open|same-close] [--allow-gaps]
           --out report.html [--pdf report.pdf] [--json result.json] [--csv-dir DIR] [--data-dir DIR]
                                                              the live pipeline over stored bars; to is exclusive
  config validate FILE                                        check a kestrel.config.json`;

export const EXIT = { ok: 0, failure: 1, usage: 2, storage: 3 } as const;

const CONSOLE_IO: CommandIo = { out: (l) => console.log(l), err: (l) => console.error(l) };
const str = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

const rendererDir = () => path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../renderer');
/** out/main/cli.js → the checkout's or the package's resources/. */
const resourcesDir = () => path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../resources');

export async function main(argv: string[], env = process.env): Promise<number> {
  const [command, ...rest] = argv;
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        symbols: { type: 'string' },
        'ib-host': { type: 'string' },
        'ib-port': { type: 'string' },
        'ib-client-id': { type: 'string' },
        in: { type: 'string' },
        out: { type: 'string' },
        csv: { type: 'string' },
        symbol: { type: 'string' },
        interval: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        policy: { type: 'string' },
        cash: { type: 'string' },
        'slippage-bps': { type: 'string' },
        commission: { type: 'string' },
        fill: { type: 'string' },
        'allow-gaps': { type: 'boolean' },
        pdf: { type: 'string' },
        json: { type: 'string' },
        'csv-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    console.error(`kestrel: ${(err as Error).message}\n${USAGE}`);
    return EXIT.usage;
  }
  if (!command || values.help) {
    console.log(USAGE);
    return command ? EXIT.ok : EXIT.usage;
  }
  if (command === 'features') return features(values.in as string | undefined, values.out as string | undefined);
  if (command === 'config') return configCommand(positionals);
  try {
    const config = resolveConfig({
      flags: {
        dataDir: values['data-dir'] as string | undefined,
        port: values.port as string | undefined,
        symbols: values.symbols as string | undefined,
        ibHost: values['ib-host'] as string | undefined,
        ibPort: values['ib-port'] as string | undefined,
        ibClientId: values['ib-client-id'] as string | undefined,
      },
      env,
      resourcesDir: resourcesDir(),
    });
    switch (command) {
      case 'serve':
        return await serve(config);
      case 'import':
        return importCommand(
          {
            dataDir: config.dataDir,
            csv: str(values.csv),
            symbol: str(values.symbol),
            interval: str(values.interval),
          },
          new SystemClock(),
          CONSOLE_IO,
        );
      case 'export':
        return exportCommand(
          {
            dataDir: config.dataDir,
            symbol: str(values.symbol),
            interval: str(values.interval),
            from: str(values.from),
            to: str(values.to),
            out: str(values.out),
          },
          CONSOLE_IO,
        );
      case 'backtest':
        return await backtestCommand(
          {
            dataDir: config.dataDir,
            in: str(values.in),
            symbols: str(values.symbols),
            from: str(values.from),
            to: str(values.to),
            interval: str(values.interval),
            policy: str(values.policy),
            cash: str(values.cash),
            slippageBps: str(values['slippage-bps']),
            commission: str(values.commission),
            fill: str(values.fill),
            allowGaps: values['allow-gaps'] === true,
            out: str(values.out),
            pdf: str(values.pdf),
            json: str(values.json),
            csvDir: str(values['csv-dir']),
          },
          CONSOLE_IO,
          { clock: new SystemClock(), progress: process.stderr, resourcesDir: resourcesDir() },
        );
      case 'doctor':
        for (const line of await doctorReport(config.dataDir, env)) console.log(line);
        return EXIT.ok;
      default:
        console.error(`kestrel: unknown command '${command}'\n${USAGE}`);
        return EXIT.usage;
    }
  } catch (err) {
    if (err instanceof StorageError) {
      console.error(`kestrel: ${err.message}`);
      return EXIT.storage;
    }
    if (err instanceof ConfigError) {
      console.error(`kestrel: ${err.message}`);
      return EXIT.usage;
    }
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(`kestrel: port is already in use; pass --port N (or --port 0 for any free port)`);
      return EXIT.failure;
    }
    throw err;
  }
}

/** `kestrel config validate FILE`: checks a kestrel.config.json without starting anything. */
function configCommand(args: string[]): number {
  const [verb, file] = args;
  if (verb !== 'validate' || !file) {
    console.error(`kestrel: usage: kestrel config validate FILE`);
    return EXIT.usage;
  }
  if (!fs.existsSync(file)) {
    console.error(`kestrel: ${file} does not exist`);
    return EXIT.failure;
  }
  try {
    loadConfigFile(file);
  } catch (err) {
    console.error(`kestrel: ${(err as Error).message}`);
    return EXIT.failure;
  }
  console.log(`kestrel: ${file} is a valid Kestrel config`);
  return EXIT.ok;
}

/** Writes exactly the reference columns; a bad row rejects the file and writes nothing. */
function features(input: string | undefined, output: string | undefined): number {
  if (!input || !output) {
    console.error(`kestrel: features needs --in BARS.csv and --out FEATURES.csv\n${USAGE}`);
    return EXIT.usage;
  }
  let text: string;
  try {
    text = fs.readFileSync(input, 'utf8');
  } catch (err) {
    console.error(`kestrel: cannot read ${input}: ${(err as Error).message}`);
    return EXIT.failure;
  }
  const result = featuresCsvFromBarsCsv(text);
  if (!result.ok) {
    console.error(`kestrel: ${input} was not processed:\n${result.errors.map((e) => `  ${e}`).join('\n')}`);
    return EXIT.failure;
  }
  writeFileAtomic(output, result.csv);
  console.log(`kestrel: wrote ${result.rows} feature rows to ${output}`);
  return EXIT.ok;
}

async function serve(config: ReturnType<typeof resolveConfig>): Promise<number> {
  ensureWritableDir(config.dataDir);
  const log = createLogger(config.dataDir);
  // Listen for signals before anything starts, and keep listening: a second Ctrl+C while we
  // flush must not kill the process halfway through closing the database.
  let stopRequested: string | null = null;
  let onStop: (signal: string) => void = (signal) => (stopRequested = signal);
  const handler = (signal: string) => onStop(signal);
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  const app = await startHeadless({ config, clock: new SystemClock(), log, rendererDir: rendererDir() });
  console.log(`Kestrel headless on ${app.url}  (data dir ${config.dataDir})`);
  const code = await new Promise<number>((resolve) => {
    let stopping = false;
    onStop = (signal) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down');
      app.stop().then(
        () => log.flush(() => resolve(EXIT.ok)),
        (err: unknown) => {
          console.error(`kestrel: shutdown failed: ${(err as Error).message}`);
          resolve(EXIT.failure);
        },
      );
    };
    if (stopRequested) onStop(stopRequested);
  });
  process.off('SIGINT', handler);
  process.off('SIGTERM', handler);
  return code;
}
