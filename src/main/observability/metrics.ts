/**
 * Prometheus metrics (prom-client) on a registry per engine, so tests and several engines in one
 * process never collide. Served as text on /metrics in headless mode.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();

  /** Must stay 0: shadow-provider data reaching a consumer on the decision path. */
  readonly hotpathShadowReads = new Counter({
    name: 'hotpath_shadow_reads_total',
    help: 'Shadow-provider events that reached the decision hot path (must be 0)',
    registers: [this.registry],
  });
  readonly marketEvents = new Counter({
    name: 'kestrel_marketdata_events_total',
    help: 'Market-data events received, by provider and type',
    labelNames: ['provider', 'type'] as const,
    registers: [this.registry],
  });
  readonly delivered = new Counter({
    name: 'kestrel_marketdata_delivered_total',
    help: 'Market-data events delivered to consumers (active provider only)',
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: 'kestrel_marketdata_rejected_total',
    help: 'Events rejected by price validation or as malformed frames',
    labelNames: ['provider', 'reason'] as const,
    registers: [this.registry],
  });
  readonly providerHealth = new Gauge({
    name: 'kestrel_provider_health_score',
    help: 'Health score H in [0,1]',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });
  readonly providerSwitches = new Counter({
    name: 'kestrel_provider_switches_total',
    help: 'Active-provider switches per symbol',
    labelNames: ['symbol'] as const,
    registers: [this.registry],
  });
  readonly providerLatency = new Histogram({
    name: 'kestrel_provider_request_seconds',
    help: 'REST request latency by provider',
    labelNames: ['provider'] as const,
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  // --- signals (issue 5) ---
  /** Closing trade/bar event → gated decision; quantiles over the last 10 minutes. */
  readonly signalLatency = new Summary({
    name: 'kestrel_signal_decision_latency_seconds',
    help: 'Decision latency from the closing trade/bar event to the gated signal',
    percentiles: [0.5, 0.95, 0.99],
    maxAgeSeconds: 600,
    ageBuckets: 5,
    registers: [this.registry],
  });
  readonly signals = new Counter({
    name: 'kestrel_signals_total',
    help: 'Signal decisions by result and first blocking reason (reason "none" when passed)',
    labelNames: ['result', 'reason'] as const,
    registers: [this.registry],
  });
  readonly inferenceErrors = new Counter({
    name: 'kestrel_inference_errors_total',
    help: 'Policy inferences that threw or returned non-finite probabilities (decided as HOLD, confidence 0)',
    registers: [this.registry],
  });
  // --- end signals ---

  // --- bars (issue 4) ---
  /**
   * Aggregator and writer counters (bad trades by kind, provider-bar matches and mismatches, bars
   * written), read from their owners at scrape time so the hot path pays nothing.
   */
  watchBarCounters(read: () => Record<string, number>): void {
    new Gauge({
      name: 'kestrel_bar_events',
      help: 'Bar building and storage counters since start, by kind (trades, duplicates, future, providerMismatched, written, ...)',
      labelNames: ['kind'] as const,
      registers: [this.registry],
      collect() {
        for (const [kind, value] of Object.entries(read())) this.set({ kind }, value);
      },
    });
  }
  // --- end bars ---

  constructor(withProcessMetrics = false) {
    if (withProcessMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'kestrel_' });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
