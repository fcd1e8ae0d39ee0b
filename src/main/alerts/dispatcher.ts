/**
 * Sends alerts to the outbound channels (docs/alerts.md). dispatch() is synchronous and never
 * throws or waits: routing, dedup and the rate limit are decided on the spot, and each channel
 * has a bounded queue drained by its own async worker, so a slow or dead endpoint never holds up
 * the engine.
 */
import { randomUUID } from 'node:crypto';
import { Gauge, type Registry } from 'prom-client';
import type { Alert, AlertChannelStatus, AlertLevel, AlertTestResult } from '../../shared/domain';
import type { Clock } from '../clock';
import type { Logger } from '../observability/logger';
import { AlertInputError } from '../observability/alerts';
import type { AlertChannelConfig, AlertsConfig } from './config';
import { Deduper } from './dedup';
import { discordPayload } from './discord';
import { isRetryable, maskUrl, postJson, type PostOptions, type PostResult } from './http';
import { slackPayload } from './slack';
import { TokenBucket } from './tokenBucket';
import { webhookPayload, type Delivery } from './webhook';

const RANK: Record<AlertLevel, number> = { info: 0, warning: 1, critical: 2 };

export const FORMATS = { webhook: webhookPayload, slack: slackPayload, discord: discordPayload } as const;

type Counters = Pick<AlertChannelStatus, 'sent' | 'failed' | 'retries' | 'rateLimited' | 'deduplicated' | 'dropped'>;

export interface DispatcherOptions {
  config: AlertsConfig;
  clock: Clock;
  version: string;
  log: Pick<Logger, 'warn'>;
  /** Test seams: the POST and the wait between attempts. */
  post?: (url: string, body: unknown, opts: PostOptions) => Promise<PostResult>;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

class Channel {
  readonly bucket: TokenBucket;
  readonly dedup: Deduper;
  readonly queue: Delivery[] = [];
  readonly counters: Counters = { sent: 0, failed: 0, retries: 0, rateLimited: 0, deduplicated: 0, dropped: 0 };
  /** Alerts held back (rate limit, full queue) since the last successful send: told to the receiver. */
  heldBack = 0;
  lastStatus: number | null = null;
  lastError: string | null = null;
  lastSentTs: number | null = null;
  running = false;

  constructor(
    readonly index: number,
    readonly cfg: AlertChannelConfig,
    config: AlertsConfig,
    clock: Clock,
  ) {
    this.bucket = new TokenBucket(clock, config.ratePerMinute, config.burst);
    this.dedup = new Deduper(clock, config.dedupWindowMs);
  }

  get label(): string {
    return `${this.index}:${this.cfg.type}`;
  }

  routes(alert: Alert): boolean {
    return RANK[alert.level] >= RANK[this.cfg.minLevel] && (!this.cfg.kinds || this.cfg.kinds.includes(alert.kind));
  }
}

export class AlertDispatcher {
  private channels: Channel[];
  private readonly post;
  private readonly sleep;
  private readonly abort = new AbortController();
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: DispatcherOptions) {
    this.channels = opts.config.channels.map((c, i) => new Channel(i, c, opts.config, opts.clock));
    this.post = opts.post ?? postJson;
    this.sleep = opts.sleep ?? abortableSleep;
  }

  /**
   * New channels and limits from the settings. Channels start with fresh counters and buckets;
   * deliveries already queued on the old ones still go out (their workers hold them).
   */
  reconfigure(config: AlertsConfig): void {
    this.opts.config = config;
    this.channels = config.channels.map((c, i) => new Channel(i, c, config, this.opts.clock));
  }

  /** Routes, dedups, rate-limits and queues the alert for every channel that wants it. */
  dispatch(alert: Alert): void {
    if (this.abort.signal.aborted) return;
    const { config } = this.opts;
    for (const ch of this.channels) {
      if (!ch.routes(alert)) continue;
      const admitted = ch.dedup.check(alert);
      if (admitted === null) {
        ch.counters.deduplicated++;
        continue;
      }
      // Non-critical alerts leave `criticalReserve` tokens for the ones that matter most.
      if (!ch.bucket.tryTake(alert.level === 'critical' ? 0 : config.criticalReserve)) {
        ch.counters.rateLimited++;
        ch.heldBack++;
        continue;
      }
      ch.dedup.sent(alert);
      if (ch.queue.length >= config.queueSize) {
        // The channel is failing or slow; the newest alerts are the ones worth sending.
        ch.queue.shift();
        ch.counters.dropped++;
        ch.heldBack++;
      }
      ch.queue.push({ alert, suppressed: admitted.suppressed, dropped: 0, version: this.opts.version });
      this.pump(ch);
    }
  }

  /** Channels with masked targets and their counters, for getAlertChannels and the settings UI. */
  status(): AlertChannelStatus[] {
    return this.channels.map((ch) => ({
      index: ch.index,
      type: ch.cfg.type,
      target: maskUrl(ch.cfg.url),
      minLevel: ch.cfg.minLevel,
      kinds: ch.cfg.kinds ?? null,
      queued: ch.queue.length,
      ...ch.counters,
      lastStatus: ch.lastStatus,
      lastError: ch.lastError,
      lastSentTs: ch.lastSentTs,
    }));
  }

  /** One test alert through the channel now: no routing, dedup, rate limit or retry. Throws at once on a bad index. */
  test(index: number): Promise<AlertTestResult> {
    const ch = this.channels[index];
    if (!ch) {
      const n = this.channels.length;
      throw new AlertInputError(
        `no alert channel at index ${index}; ${n} configured (alerts.channels in the config file)`,
      );
    }
    return this.testSend(ch, index);
  }

  private async testSend(ch: Channel, index: number): Promise<AlertTestResult> {
    const alert: Alert = {
      id: `test-${randomUUID()}`,
      ts: this.opts.clock.now(),
      level: 'info',
      kind: 'other',
      title: 'Kestrel test alert',
      message: `Test send to channel ${index} (${ch.cfg.type}). If you can read this, the channel works.`,
    };
    const started = performance.now();
    const body = FORMATS[ch.cfg.type]({ alert, suppressed: 0, dropped: 0, version: this.opts.version });
    const r = await this.post(ch.cfg.url, body, this.postOptions());
    ch.lastStatus = r.status;
    const ok = r.error === null;
    return { ok, status: r.status, error: r.error, durationMs: Math.max(0, performance.now() - started) };
  }

  /** Resolves once every queue is empty and nothing is in flight. */
  idle(): Promise<void> {
    if (this.channels.every((c) => !c.running && c.queue.length === 0)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Lets queued alerts go out for up to `drainMs`, then cancels what is left (it is in the history). */
  async stop(drainMs = 2000): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.idle(), new Promise<void>((r) => (timer = setTimeout(r, drainMs)))]);
    clearTimeout(timer);
    this.abort.abort();
    for (const ch of this.channels) ch.queue.length = 0;
  }

  /** Delivery counters on /metrics, read at scrape time. */
  watchMetrics(registry: Registry): void {
    const read = () => this.status();
    new Gauge({
      name: 'kestrel_alert_channel_events',
      help: 'Outbound alert deliveries since start, by channel (index:type) and outcome',
      labelNames: ['channel', 'outcome'] as const,
      registers: [registry],
      collect() {
        for (const s of read()) {
          const channel = `${s.index}:${s.type}`;
          for (const outcome of [
            'sent',
            'failed',
            'retries',
            'rateLimited',
            'deduplicated',
            'dropped',
            'queued',
          ] as const)
            this.set({ channel, outcome }, s[outcome]);
        }
      },
    });
  }

  private postOptions(): PostOptions {
    return { timeoutMs: this.opts.config.timeoutMs, signal: this.abort.signal, now: this.opts.clock.now() };
  }

  private pump(ch: Channel): void {
    if (ch.running) return;
    ch.running = true;
    void (async () => {
      try {
        while (ch.queue.length > 0 && !this.abort.signal.aborted) await this.deliver(ch, ch.queue.shift()!);
      } catch (err) {
        this.opts.log.warn({ err, channel: ch.label }, 'alert channel worker failed');
      } finally {
        ch.running = false;
        if (this.channels.every((c) => !c.running && c.queue.length === 0)) {
          for (const w of this.idleWaiters.splice(0)) w();
        }
      }
    })();
  }

  private async deliver(ch: Channel, d: Delivery): Promise<void> {
    const { config } = this.opts;
    const heldBack = ch.heldBack;
    const body = FORMATS[ch.cfg.type]({ ...d, dropped: heldBack });
    for (let attempt = 1; ; attempt++) {
      const r = await this.post(ch.cfg.url, body, this.postOptions());
      ch.lastStatus = r.status;
      if (r.error === null) {
        ch.counters.sent++;
        ch.heldBack -= heldBack;
        ch.lastError = null;
        ch.lastSentTs = this.opts.clock.now();
        return;
      }
      const wait = r.retryAfterMs ?? Math.min(config.backoffMaxMs, config.backoffBaseMs * 2 ** (attempt - 1));
      const giveUp = !isRetryable(r) || attempt >= config.maxAttempts || this.abort.signal.aborted;
      // A Retry-After beyond our longest wait: retrying early would only be refused again.
      const tooLong = wait > config.backoffMaxMs;
      if (giveUp || tooLong) {
        ch.counters.failed++;
        ch.lastError =
          tooLong && !giveUp ? `${r.error} (Retry-After ${Math.round(wait / 1000)} s is too long)` : r.error;
        this.opts.log.warn(
          { channel: ch.label, target: maskUrl(ch.cfg.url), status: r.status, error: ch.lastError, attempts: attempt },
          'alert not delivered',
        );
        return;
      }
      ch.counters.retries++;
      await this.sleep(wait, this.abort.signal);
    }
  }
}
