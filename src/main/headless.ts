/**
 * Headless mode: the engine, the built renderer over HTTP and the contract over a loopback
 * WebSocket. The same UI a trader sees in Electron, reachable from a browser on this machine.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Clock } from './clock';
import type { Config } from './config';
import { Engine } from './engine';
import type { Logger } from './observability/logger';
import type { SecretStore } from './secrets';
import { createHttpServer } from './transport/http';
import { attachWsTransport } from './transport/ws';
import { KESTREL_VERSION } from './version';

export const HOST = '127.0.0.1';

export interface HeadlessOptions {
  config: Config;
  clock: Clock;
  log: Logger;
  rendererDir: string;
  /** Where keys come from; the environment unless a host or test supplies a store. */
  secrets?: SecretStore;
}

export interface HeadlessApp {
  engine: Engine;
  port: number;
  token: string;
  /** The page to open, token included. */
  url: string;
  stop(): Promise<void>;
}

export async function startHeadless(opts: HeadlessOptions): Promise<HeadlessApp> {
  const { config, clock, log, rendererDir, secrets } = opts;
  const engine = new Engine({ config, clock, log, host: 'headless', processMetrics: true, secrets });
  const token = randomBytes(24).toString('base64url');
  let port = config.port;

  const http = createHttpServer({
    rendererDir,
    port: () => port,
    routes: {
      '/healthz': () => ({ ...engine.health(), version: KESTREL_VERSION }),
      '/metrics': async () => ({ text: await engine.metrics.text(), contentType: engine.metrics.contentType }),
    },
  });
  const ws = attachWsTransport({
    http,
    contract: engine.server,
    token,
    allowedOrigins: () => [`http://${HOST}:${port}`, `http://localhost:${port}`],
    log,
  });

  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(config.port, HOST, () => {
        http.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await engine.stop();
    throw err;
  }
  port = (http.address() as AddressInfo).port;
  engine.start();
  log.info({ port }, 'headless mode listening');

  let stopping: Promise<void> | undefined;
  return {
    engine,
    port,
    token,
    url: `http://${HOST}:${port}/?token=${token}`,
    stop: () =>
      (stopping ??= (async () => {
        await ws.close();
        await new Promise<void>((resolve) => http.close(() => resolve()));
        http.closeAllConnections();
        await engine.stop();
      })()),
  };
}
