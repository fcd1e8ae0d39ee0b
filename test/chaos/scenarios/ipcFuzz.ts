/**
 * IPC and WebSocket fuzzing: the real headless engine in this process takes a seeded flood of random
 * and malformed frames over several WebSocket connections at once (bad JSON, wrong types, unknown
 * commands, `__proto__` keys, binary frames, frames near and over the 256 KiB cap, deep nesting) and
 * the same through the Electron IPC transport (fake ipcMain, structured objects: cycles, untrusted
 * senders, megabyte strings). Checks: the engine survives; every reply is a well-formed frame and
 * every malformed frame gets a typed error (an oversize one closes its socket with 1009); memory is
 * bounded; Object.prototype is untouched; and the kill switch answers within 1 s (p99) during it.
 */
import path from 'node:path';
import fc from 'fast-check';
import WebSocket from 'ws';
import { ResponseFrameSchema, commandNames, IPC_COMMAND_CHANNEL } from '../../../src/shared/contract';
import { SystemClock } from '../../../src/main/clock';
import { resolveConfig } from '../../../src/main/config';
import { attachIpcTransport, type InvokeEventLike, type IpcMainLike } from '../../../src/main/electron/ipcTransport';
import { startHeadless, type HeadlessApp } from '../../../src/main/headless';
import { silentLogger } from '../../../src/main/observability/logger';
import { MAX_FRAME_BYTES } from '../../../src/main/transport/ws';
import { tempDir } from '../../helpers/tmp';
import { emptyResult, prng, registerScenario, type ChaosResult } from '../harness';
import { memSample, percentile, round, slope, tryGc, type MemSample } from '../support/memory';

export interface IpcFuzzParams {
  /** Frames over the WebSocket transport, spread over `connections`. */
  wsMessages: number;
  connections: number;
  /** Frames through the IPC transport. */
  ipcMessages: number;
  /** Frames sent per connection before waiting for the replies to catch up (a burst). */
  burst: number;
}

/** What a frame must get back: a typed error (with this id, or null), any well-formed reply, or a 1009 close. */
type Expect = { kind: 'error'; id: string | null; codes?: string[] } | { kind: 'any'; id: string } | { kind: 'close' };

interface Fuzzed {
  data: string | Buffer;
  expect: Expect;
  label: string;
}

// Commands a random input could make do real work (write files, keys, settings, long replays): fuzzed with
// inputs that are invalid by construction only.
const HEAVY = new Set(['updateSettings', 'setKey', 'clearKey', 'exportBacktest', 'replayToday', 'runBacktest']);

const EVIL_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];

export function makeGenerator(seed: number) {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[r.int(0, xs.length - 1)]!;
  let n = 0;
  const anything = fc.sample(fc.jsonValue({ maxDepth: 4 }), { seed, numRuns: 512 });
  const strings = fc.sample(fc.string({ unit: 'binary', maxLength: 40 }), { seed: seed + 1, numRuns: 512 });
  const anyJson = (): unknown => pick(anything);
  const anyString = (): string => pick(strings);

  return (): Fuzzed => {
    const id = `f${n++}`;
    const kind = r.int(0, 15);
    switch (kind) {
      case 0: {
        // Not JSON: random text, a truncated frame, a lone bracket.
        const good = JSON.stringify({ id, cmd: 'getSnapshot' });
        const data = pick([anyString() + '{', good.slice(0, r.int(1, good.length - 1)), '{', '"', 'nul', '\u0000']);
        return { data, expect: { kind: 'error', id: null, codes: ['BAD_FRAME'] }, label: 'bad JSON' };
      }
      case 1: {
        // JSON, but not an object.
        const data = JSON.stringify(pick([r.next() * 1e9, [id, 'getSnapshot'], anyString(), null, true, []]));
        return { data, expect: { kind: 'error', id: null, codes: ['BAD_FRAME'] }, label: 'not an object' };
      }
      case 2: {
        // Wrong types for id: no id comes back.
        const badId = pick([{ x: 1 }, [1], true, 1.5, 'x'.repeat(65), Number.MAX_SAFE_INTEGER * 4, null]);
        const data = JSON.stringify({ id: badId, cmd: 'getSnapshot' });
        return { data, expect: { kind: 'error', id: null, codes: ['BAD_FRAME'] }, label: 'bad id' };
      }
      case 3: {
        const cmd = pick([42, null, { a: 1 }, ['getSnapshot'], 'x'.repeat(65), true]);
        return {
          data: JSON.stringify({ id, cmd, input: anyJson() }),
          expect: { kind: 'error', id, codes: ['BAD_FRAME'] },
          label: 'bad cmd type',
        };
      }
      case 4:
      case 5: {
        const cmd = pick([
          ...EVIL_KEYS,
          anyString().slice(0, 60),
          'getsnapshot',
          'engageKillSwitch ',
          'placeOrder\u0000',
        ]);
        const unknown = commandNames.includes(cmd as never) ? `${cmd}_` : cmd;
        return {
          data: JSON.stringify({ id, cmd: unknown, input: anyJson() }),
          expect: { kind: 'error', id, codes: ['UNKNOWN_COMMAND', 'BAD_FRAME'] },
          label: 'unknown command',
        };
      }
      case 6:
      case 7:
      case 8: {
        // A known command with random input: anything well-formed may come back, but heavy commands get
        // an input no schema accepts (a number where every one wants an object).
        const cmd = pick(commandNames);
        if (HEAVY.has(cmd))
          return {
            data: JSON.stringify({ id, cmd, input: r.next() }),
            expect: { kind: 'error', id, codes: ['INVALID_INPUT'] },
            label: 'heavy command, bad input',
          };
        return {
          data: JSON.stringify({ id, cmd, input: anyJson() }),
          expect: { kind: 'any', id },
          label: 'random input',
        };
      }
      case 9: {
        // __proto__ / constructor keys as JSON text (JSON.parse makes them own properties).
        const key = pick(EVIL_KEYS);
        const body = pick([
          `{"id":"${id}","cmd":"placeOrder","input":{"${key}":{"polluted":true},"symbol":"NVDA","side":"BUY","quantity":1e9,"type":"MKT"}}`,
          `{"id":"${id}","${key}":{"cmd":"getSnapshot","polluted":true}}`,
          `{"id":"${id}","cmd":"engageKillSwitch","input":{"reason":"x","${key}":{"polluted":true}}}`,
          `{"id":"${id}","cmd":"updateSettings","input":{"section":"${key}","values":{"${key}":{"polluted":true}}}}`,
        ]);
        return {
          data: body,
          expect: { kind: 'error', id, codes: ['BAD_FRAME', 'INVALID_INPUT'] },
          label: 'proto keys',
        };
      }
      case 10: {
        // Near the cap: a frame just under 256 KiB, refused by the schema.
        const size = MAX_FRAME_BYTES - r.int(200, 4096);
        const head = JSON.stringify({ id, cmd: 'engageKillSwitch', input: { reason: '' } });
        const data = head.replace('"reason":""', `"reason":"${'r'.repeat(size - head.length)}"`);
        return { data, expect: { kind: 'error', id, codes: ['INVALID_INPUT'] }, label: 'near cap' };
      }
      case 11: {
        if (r.next() < 0.5) {
          // Over the cap: ws closes the socket with 1009 before anything is parsed.
          const data = JSON.stringify({
            id,
            cmd: 'getSnapshot',
            input: { pad: 'p'.repeat(MAX_FRAME_BYTES + r.int(1, 65_536)) },
          });
          return { data, expect: { kind: 'close' }, label: 'over cap' };
        }
        const depth = r.int(100, 20_000);
        const data = `{"id":"${id}","cmd":"getBars","input":${'['.repeat(depth)}${']'.repeat(depth)}}`;
        return { data, expect: { kind: 'error', id, codes: ['INVALID_INPUT'] }, label: 'deep nesting' };
      }
      case 12: {
        const bytes = Buffer.alloc(r.int(0, 2048));
        for (let i = 0; i < bytes.length; i++) bytes[i] = r.int(0, 255);
        return { data: bytes, expect: { kind: 'error', id: null, codes: ['BAD_FRAME'] }, label: 'binary' };
      }
      case 13: {
        // Wrong types for known fields.
        const data = JSON.stringify(
          pick([
            { id, cmd: 'placeOrder', input: { symbol: 7, side: 'HOLD', quantity: '10', type: 'MKT' } },
            { id, cmd: 'placeOrder', input: { symbol: 'NVDA', side: 'BUY', quantity: -1, type: 'MKT' } },
            { id, cmd: 'placeOrder', input: { symbol: 'NVDA', side: 'BUY', quantity: 1e308, type: 'MKT' } },
            { id, cmd: 'getBars', input: { symbol: 'NVDA', from: 'yesterday', to: null } },
            { id, cmd: 'rearm', input: { confirm: 'true' } },
            { id, cmd: 'flattenAll', input: { confirm: 1 } },
            {
              id,
              cmd: 'setSymbolMode',
              input: { symbol: 'NVDA', mode: 'live', override: { confirm: false, reason: '' } },
            },
            { id, cmd: 'getSnapshot', input: [1, 2, 3] },
          ]),
        );
        return { data, expect: { kind: 'error', id, codes: ['INVALID_INPUT'] }, label: 'wrong field types' };
      }
      default: {
        // Cheap valid reads: the flood's background of real traffic.
        const cmd = pick(['getSnapshot', 'getTradingState', 'listSymbols', 'listProviders', 'listAlerts']);
        return { data: JSON.stringify({ id, cmd }), expect: { kind: 'any', id }, label: 'valid read' };
      }
    }
  };
}

interface WsConn {
  ws: WebSocket;
  closeCode: number | null;
  replies: unknown[];
  opened: Promise<void>;
}

function connectWs(url: string): WsConn {
  const ws = new WebSocket(url);
  const c: WsConn = { ws, closeCode: null, replies: [], opened: Promise.resolve() };
  c.opened = new Promise((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as Record<string, unknown>;
    if (!('event' in frame)) c.replies.push(frame);
  });
  ws.on('close', (code) => (c.closeCode = code));
  ws.on('error', () => undefined);
  return c;
}

class FakeIpcMain implements IpcMainLike {
  handler: ((event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>) | undefined;
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void {
    if (channel === IPC_COMMAND_CHANNEL) this.handler = listener;
  }
  removeHandler(): void {
    this.handler = undefined;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function checkReply(frame: unknown, expect: Expect | undefined, label: string, result: ChaosResult): boolean {
  const parsed = ResponseFrameSchema.safeParse(frame);
  if (!parsed.success) {
    result.corrupted++;
    result.notes.push(`malformed reply to ${label}: ${JSON.stringify(frame).slice(0, 200)}`);
    return false;
  }
  const f = parsed.data;
  if (!f.ok && f.error.code === 'INTERNAL') {
    result.failed.push(`INTERNAL error for ${label}: ${f.error.message}`);
    return false;
  }
  if (expect?.kind === 'error') {
    if (f.ok) {
      result.failed.push(`${label} was accepted: ${JSON.stringify(f).slice(0, 200)}`);
      return false;
    }
    if (expect.codes && !expect.codes.includes(f.error.code) && f.error.code !== 'UNAVAILABLE') {
      result.failed.push(
        `${label}: code ${f.error.code} (${f.error.message.slice(0, 120)}), expected ${expect.codes.join('/')}`,
      );
      return false;
    }
  }
  return true;
}

async function wsFlood(
  app: HeadlessApp,
  p: IpcFuzzParams,
  seed: number,
  result: ChaosResult,
  killRtts: number[],
): Promise<void> {
  const url = `ws://127.0.0.1:${app.port}/ws?token=${app.token}`;
  const gen = makeGenerator(seed);
  const labels = new Map<string, number>();
  let sent = 0;
  let closes1009 = 0;
  let unavailable = 0;
  const operator = connectWs(url);
  await operator.opened;

  // The operator engages and re-arms the kill switch all through the flood, timing each round trip.
  let flooding = true;
  const killer = (async () => {
    let k = 0;
    while (flooding) {
      const id = `kill${k++}`;
      const t0 = performance.now();
      operator.ws.send(JSON.stringify({ id, cmd: 'engageKillSwitch', input: { reason: 'chaos: fuzz flood' } }));
      let reply: Record<string, unknown> | undefined;
      while (
        !(reply = operator.replies.find((x) => (x as { id: unknown }).id === id) as Record<string, unknown> | undefined)
      ) {
        if (performance.now() - t0 > 10_000) break;
        await sleep(1);
      }
      const rtt = performance.now() - t0;
      killRtts.push(rtt);
      const state = (reply?.result as { state?: string } | undefined)?.state;
      if (state !== 'HALTED')
        result.failed.push(`engageKillSwitch during the flood answered ${JSON.stringify(reply)?.slice(0, 200)}`);
      operator.ws.send(JSON.stringify({ id: `rearm${k}`, cmd: 'rearm', input: { confirm: true, reason: 'chaos' } }));
      operator.replies.length = 0;
      await sleep(50);
    }
  })();

  const perConn = Math.ceil(p.wsMessages / p.connections);
  await Promise.all(
    Array.from({ length: p.connections }, async () => {
      let conn = connectWs(url);
      await conn.opened;
      const expects = new Map<string, { e: Expect; label: string }>();
      let nullExpected = 0;
      const settle = async (): Promise<void> => {
        // Wait until every frame sent on this socket has its reply (or the socket closed).
        const deadline = Date.now() + 30_000;
        while (conn.replies.length < expects.size + nullExpected && conn.closeCode === null && Date.now() < deadline)
          await sleep(2);
        let nulls = 0;
        for (const frame of conn.replies) {
          const id = (frame as { id?: unknown }).id;
          if (id === null || id === undefined) {
            nulls++;
            const code = (frame as { error?: { code?: string } }).error?.code;
            if (code === 'UNAVAILABLE') unavailable++;
            checkReply(
              frame,
              { kind: 'error', id: null, codes: ['BAD_FRAME', 'UNAVAILABLE'] },
              'a null-id frame',
              result,
            );
            continue;
          }
          const ex = expects.get(String(id));
          if (!ex) {
            result.corrupted++;
            result.notes.push(`reply with an id never sent or answered twice: ${String(id)}`);
            continue;
          }
          expects.delete(String(id));
          checkReply(frame, ex.e, ex.label, result);
        }
        // Frames refused for flooding come back UNAVAILABLE with no id: they account for the ids left over.
        const missing = expects.size - Math.max(0, nulls - nullExpected);
        if (missing > 0 && conn.closeCode === null) {
          result.lost += missing;
          result.notes.push(`${missing} frames got no reply (e.g. ${[...expects.values()][0]?.label})`);
        }
        conn.replies.length = 0;
        expects.clear();
        nullExpected = 0;
      };
      for (let i = 0; i < perConn; i++) {
        const m = gen();
        labels.set(m.label, (labels.get(m.label) ?? 0) + 1);
        if (m.expect.kind === 'close') {
          await settle();
          conn.ws.send(m.data);
          sent++;
          const deadline = Date.now() + 5000;
          while (conn.closeCode === null && Date.now() < deadline) await sleep(2);
          if (conn.closeCode === 1009) closes1009++;
          else
            result.failed.push(
              `oversize frame: socket ${conn.closeCode === null ? 'still open' : `closed ${conn.closeCode}`}, expected 1009`,
            );
          conn.ws.terminate();
          conn = connectWs(url);
          await conn.opened;
          continue;
        }
        if (m.expect.kind === 'error' && m.expect.id === null) nullExpected++;
        else expects.set(m.expect.id as string, { e: m.expect, label: m.label });
        conn.ws.send(m.data);
        sent++;
        if ((i + 1) % p.burst === 0) await settle();
      }
      await settle();
      conn.ws.close();
    }),
  );
  flooding = false;
  await killer;
  operator.ws.close();
  result.runs += sent;
  result.figures.wsFrames = sent;
  result.figures.wsConnections = p.connections;
  result.figures.closes1009 = closes1009;
  result.figures.unavailableReplies = unavailable;
  result.notes.push(
    `WebSocket: ${sent} frames over ${p.connections} connections in bursts of ${p.burst}: ${[...labels].map(([k, v]) => `${k} ${v}`).join(', ')}; ${closes1009} oversize frames closed their socket with 1009; ${unavailable} refused as a flood (UNAVAILABLE)`,
  );
}

async function ipcFlood(app: HeadlessApp, p: IpcFuzzParams, seed: number, result: ChaosResult): Promise<void> {
  const ipc = new FakeIpcMain();
  const detach = attachIpcTransport({
    ipcMain: ipc,
    contract: app.engine.server,
    isOwnOrigin: (url) => url.startsWith('app://kestrel/'),
    targets: () => [],
  });
  const gen = makeGenerator(seed + 7);
  const r = prng(seed + 11);
  const own: InvokeEventLike = { senderFrame: { url: 'app://kestrel/index.html', parent: null } };
  const foreign: InvokeEventLike[] = [
    { senderFrame: { url: 'https://evil.example/', parent: null } },
    { senderFrame: { url: 'app://kestrel/index.html', parent: {} } },
    { senderFrame: null },
  ];
  let denied = 0;
  try {
    for (let i = 0; i < p.ipcMessages; i += 64) {
      const batch: Promise<void>[] = [];
      for (let j = 0; j < 64 && i + j < p.ipcMessages; j++) {
        const m = gen();
        // IPC carries structured objects, not text: parse what parses, send the rest as strings or buffers.
        let frame: unknown;
        let expect = m.expect;
        try {
          frame = typeof m.data === 'string' ? JSON.parse(m.data) : m.data;
        } catch {
          frame = m.data;
        }
        if (m.expect.kind === 'close') expect = { kind: 'error', id: null, codes: ['INVALID_INPUT'] };
        if (typeof frame === 'object' && frame !== null && 'cmd' in frame && r.next() < 0.05) {
          // A cycle, which structured clone allows.
          const cyclic = frame as { input?: unknown };
          const loop: Record<string, unknown> = { a: 1 };
          loop.self = loop;
          cyclic.input = loop;
          if (expect.kind === 'error' && expect.codes)
            expect = { ...expect, codes: [...expect.codes, 'INVALID_INPUT'] };
        }
        const untrusted = r.next() < 0.05;
        const event = untrusted ? foreign[r.int(0, foreign.length - 1)]! : own;
        batch.push(
          (async () => {
            const reply = await ipc.handler!(event, frame);
            if (untrusted) {
              denied++;
              checkReply(reply, { kind: 'error', id: null, codes: ['DENIED'] }, 'untrusted sender', result);
            } else {
              checkReply(reply, expect, `IPC ${m.label}`, result);
            }
          })(),
        );
      }
      await Promise.all(batch);
    }
  } finally {
    detach();
  }
  result.runs += p.ipcMessages;
  result.figures.ipcFrames = p.ipcMessages;
  result.notes.push(
    `IPC: ${p.ipcMessages} frames through the fake ipcMain, ${denied} from untrusted senders (all DENIED)`,
  );
}

export async function runIpcFuzz(
  p: IpcFuzzParams,
  ctx: { seed: number; log: (l: string) => void },
): Promise<ChaosResult> {
  const result = emptyResult();
  const t = tempDir('kestrel-chaos-fuzz-');
  const config = resolveConfig({
    flags: { dataDir: t.dir, port: 0 },
    env: { KESTREL_PROVIDERS: 'synthetic', KESTREL_SYNTHETIC_SESSIONS: 'always', KESTREL_BACKFILL: 'off' },
  });
  const app = await startHeadless({
    config,
    clock: new SystemClock(),
    log: silentLogger(),
    rendererDir: path.resolve('out/renderer'),
  });
  const samples: MemSample[] = [];
  const t0 = performance.now();
  const sampler = setInterval(() => samples.push(memSample((performance.now() - t0) / 1000)), 100);
  try {
    tryGc();
    const base = memSample(0);
    const killRtts: number[] = [];
    await wsFlood(app, p, ctx.seed, result, killRtts);
    ctx.log(`ws flood done: ${result.runs} frames`);
    await ipcFlood(app, p, ctx.seed, result);
    clearInterval(sampler);
    await sleep(200);
    tryGc();
    const after = memSample((performance.now() - t0) / 1000);
    const heapSlope = slope(samples.map((s) => ({ x: s.x, y: s.heapMb })));
    const rssSlope = slope(samples.map((s) => ({ x: s.x, y: s.rssMb })));
    const peakRss = Math.max(...samples.map((s) => s.rssMb), after.rssMb);
    const p99 = percentile(killRtts, 99);
    Object.assign(result.figures, {
      killRoundTrips: killRtts.length,
      killRttP50Ms: round(percentile(killRtts, 50)),
      killRttP99Ms: round(p99),
      killRttMaxMs: round(Math.max(...killRtts)),
      heapBeforeMb: round(base.heapMb, 1),
      heapAfterMb: round(after.heapMb, 1),
      heapSlopeMbPerS: round(heapSlope),
      rssSlopeMbPerS: round(rssSlope),
      peakRssMb: round(peakRss, 0),
    });
    // The engine must still answer, untouched by the flood.
    const alive = await app.engine.server.dispatch({ id: 'alive', cmd: 'getTradingState' }, { surface: 'ui-ws' });
    if (!alive.ok) result.failed.push(`engine no longer answers after the flood: ${JSON.stringify(alive)}`);
    const polluted = ['polluted', 'cmd', 'isAdmin'].filter((k) => k in Object.prototype);
    if (polluted.length > 0) {
      result.corrupted++;
      result.notes.push(`Object.prototype polluted with ${polluted.join(', ')}`);
    }
    if (killRtts.length === 0) result.failed.push('the kill switch was never exercised during the flood');
    if (p99 > 1000)
      result.failed.push(`kill switch round trip p99 ${round(p99)} ms during the flood, target ≤ 1000 ms`);
    // Bounded: what the flood leaves behind after a GC, not what it held at its peak.
    if (after.heapMb - base.heapMb > 64)
      result.failed.push(`heap grew ${round(after.heapMb - base.heapMb, 1)} MB over the flood (bound 64 MB after GC)`);
    if (peakRss > 1536) result.failed.push(`RSS peaked at ${round(peakRss, 0)} MB (bound 1.5 GB)`);
    result.notes.push(
      `kill switch round trip during the flood: p50 ${result.figures.killRttP50Ms} ms, p99 ${result.figures.killRttP99Ms} ms over ${killRtts.length} engage/re-arm cycles (fail > 1000 ms); heap ${result.figures.heapBeforeMb} → ${result.figures.heapAfterMb} MB after GC (fail > +64 MB), RSS peak ${result.figures.peakRssMb} MB`,
    );
    return result;
  } finally {
    clearInterval(sampler);
    await app.stop();
    t.cleanup();
  }
}

registerScenario<IpcFuzzParams>({
  name: 'ipc fuzz',
  description:
    'Seeded random and malformed frames to the WebSocket transport from several connections at once (bad JSON, wrong types, unknown commands, `__proto__` keys, binary, near and over the 256 KiB cap, deep nesting) and to the IPC transport (fake ipcMain: cycles, untrusted senders). Every reply must be a well-formed frame, every malformed frame a typed error (oversize: close 1009), the heap bounded, and the kill switch answering during the flood (p99 ≤ 1 s). `corrupted` counts malformed replies and prototype pollution; `lost` frames with no reply.',
  quick: { wsMessages: 8_000, connections: 4, ipcMessages: 2_000, burst: 200 },
  full: { wsMessages: 60_000, connections: 6, ipcMessages: 20_000, burst: 500 },
  run: (params, ctx) => runIpcFuzz(params, ctx),
});
