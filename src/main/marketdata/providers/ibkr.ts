/**
 * IBKR market data over the shared IbConnection: reqMktData ticks become quotes and trades,
 * 5-second real-time bars are rolled up into 1-minute bars, reqHistoricalData serves backfill.
 * IB ticks carry no timestamp, so events are stamped with the Clock when they arrive.
 */
import { BarSizeSetting, EventName, SecType, WhatToShow, type Contract } from '@stoqey/ib';
import type { Bar, Quote } from '../../../shared/domain';
import type { Clock } from '../../clock';
import type { IbConnection } from '../../ibkr/connection';
import { fromNewYork } from '../../time/newYork';
import {
  fault,
  ok,
  type MarketDataProvider,
  type ProviderCapabilities,
  type ProviderResult,
  type StreamHandlers,
  type StreamSubscription,
} from '../provider';

export interface IbkrProviderOptions {
  connection: IbConnection;
  clock: Clock;
  /** For historical requests. Default 20 s. */
  timeoutMs?: number;
}

/** IB tick types we use (TWS API TickType). */
const TICK = { bidSize: 0, bid: 1, ask: 2, askSize: 3, last: 4, lastSize: 5 } as const;
/** Request ids live in one space per connection; start high to stay clear of order ids. */
let nextReqId = 900_000;

export function stockContract(symbol: string): Contract {
  return { symbol, secType: SecType.STK, exchange: 'SMART', currency: 'USD' };
}

/** IB bar dates: epoch seconds (formatDate=2) or "yyyyMMdd HH:mm:ss[ TZ]" in New York time. */
export function parseIbBarTime(date: string): number | null {
  if (/^\d{9,11}$/.test(date)) return Number(date) * 1000;
  const m = /^(\d{4})(\d{2})(\d{2})[ -](\d{2}):(\d{2}):(\d{2})(?: (US\/Eastern|America\/New_York))?$/.exec(date);
  if (!m) return null;
  return fromNewYork(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])) + Number(m[6]) * 1000;
}

function ibEndDateTime(ts: number): string {
  const d = new Date(ts);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

interface SymbolFeed {
  symbol: string;
  tickReq: number;
  barReq: number;
  bid: number | null;
  ask: number | null;
  bidSize: number;
  askSize: number;
  lastSize: number;
  minute: Bar | null;
}

export class IbkrProvider implements MarketDataProvider {
  readonly name = 'ibkr' as const;
  readonly capabilities: ProviderCapabilities = {
    stream: { trades: true, quotes: true, bars: true },
    latestQuote: false,
    historicalBars: true,
  };

  constructor(private readonly opts: IbkrProviderOptions) {}

  async historicalBars(symbol: string, fromMs: number, toMs: number): Promise<ProviderResult<Bar[]>> {
    const { connection } = this.opts;
    if (!connection.isConnected()) return fault('down', `IB Gateway not connected: ${connection.lastReason}`);
    const reqId = nextReqId++;
    const api = connection.api;
    const bars: Bar[] = [];
    return new Promise<ProviderResult<Bar[]>>((resolve) => {
      const done = (r: ProviderResult<Bar[]>) => {
        clearTimeout(timer);
        api.off(EventName.historicalData, onBar);
        offError();
        resolve(r);
      };
      const timer = setTimeout(
        () => done(fault('down', `historical data for ${symbol} timed out`)),
        this.opts.timeoutMs ?? 20_000,
      );
      const onBar = (
        id: number,
        date: string,
        o: number,
        h: number,
        l: number,
        c: number,
        v: number,
        count?: number,
        wap?: number,
      ) => {
        if (id !== reqId) return;
        if (date.startsWith('finished')) {
          done(ok(bars.filter((b) => b.ts >= fromMs && b.ts < toMs).sort((a, b) => a.ts - b.ts)));
          return;
        }
        const ts = parseIbBarTime(date);
        if (ts === null || ![o, h, l, c, v].every(Number.isFinite)) return; // counted by the caller's gap check
        const bar: Bar = { symbol, ts, o, h, l, c, v: Math.max(0, v), provider: 'ibkr' };
        if (wap !== undefined && Number.isFinite(wap) && wap > 0) bar.vw = wap;
        if (count !== undefined && Number.isInteger(count) && count >= 0) bar.n = count;
        bars.push(bar);
      };
      const offError = connection.onError((e) => {
        if (e.reqId !== reqId) return;
        // 162: the query returned no data, which is an empty answer, not an outage.
        if (e.code === 162) done(ok([]));
        else if (e.code === 200) done(fault('malformed', `IB: no security definition for ${symbol} (200)`));
        else done(fault('down', `IB error ${e.code}: ${e.message}`));
      });
      api.on(EventName.historicalData, onBar);
      const seconds = Math.max(60, Math.ceil((toMs - fromMs) / 1000));
      api.reqHistoricalData(
        reqId,
        stockContract(symbol),
        ibEndDateTime(toMs),
        `${seconds} S`,
        BarSizeSetting.MINUTES_ONE,
        WhatToShow.TRADES,
        1,
        2,
        false,
      );
    });
  }

  stream(symbols: readonly string[], handlers: StreamHandlers): StreamSubscription {
    const { connection, clock } = this.opts;
    const api = connection.api;
    const feeds = new Map<number, SymbolFeed>();
    const bySymbol = new Map<string, SymbolFeed>();
    let lastHeartbeatAt: number | null = null;
    let wanted = [...new Set(symbols)];

    const subscribe = (symbol: string) => {
      const feed: SymbolFeed = {
        symbol,
        tickReq: nextReqId++,
        barReq: nextReqId++,
        bid: null,
        ask: null,
        bidSize: 0,
        askSize: 0,
        lastSize: 0,
        minute: null,
      };
      feeds.set(feed.tickReq, feed);
      feeds.set(feed.barReq, feed);
      bySymbol.set(symbol, feed);
      api.reqMktData(feed.tickReq, stockContract(symbol), '', false, false);
      api.reqRealTimeBars(feed.barReq, stockContract(symbol), 5, WhatToShow.TRADES, false);
    };
    const unsubscribe = (feed: SymbolFeed) => {
      feeds.delete(feed.tickReq);
      feeds.delete(feed.barReq);
      bySymbol.delete(feed.symbol);
      if (connection.isConnected()) {
        api.cancelMktData(feed.tickReq);
        api.cancelRealTimeBars(feed.barReq);
      }
    };
    const quote = (f: SymbolFeed) => {
      if (f.bid === null || f.ask === null) return;
      const q: Quote = {
        symbol: f.symbol,
        ts: clock.now(),
        bid: f.bid,
        bidSize: f.bidSize,
        ask: f.ask,
        askSize: f.askSize,
        provider: 'ibkr',
      };
      handlers.onEvent({ type: 'quote', quote: q });
    };
    const onTickPrice = (reqId: number, field: number, value: number | undefined) => {
      const f = feeds.get(reqId);
      if (!f || value === undefined) return;
      lastHeartbeatAt = clock.now();
      if (!Number.isFinite(value) || value <= 0)
        return handlers.onMalformed(`ibkr ${f.symbol}: tick ${field} price ${value}`);
      if (field === TICK.bid) {
        f.bid = value;
        quote(f);
      } else if (field === TICK.ask) {
        f.ask = value;
        quote(f);
      } else if (field === TICK.last)
        handlers.onEvent({
          type: 'trade',
          trade: { symbol: f.symbol, ts: clock.now(), price: value, size: f.lastSize, provider: 'ibkr' },
        });
    };
    const onTickSize = (reqId: number, field: number | undefined, value: number | undefined) => {
      const f = feeds.get(reqId);
      if (!f || value === undefined || !Number.isFinite(value) || value < 0) return;
      lastHeartbeatAt = clock.now();
      if (field === TICK.bidSize) f.bidSize = value;
      else if (field === TICK.askSize) f.askSize = value;
      else if (field === TICK.lastSize) f.lastSize = value;
    };
    // 5-second bars roll up into the minute they start in; a minute is emitted when the next begins.
    const onRealtimeBar = (
      reqId: number,
      time: number,
      o: number,
      h: number,
      l: number,
      c: number,
      v: number,
      wap: number,
      count: number,
    ) => {
      const f = feeds.get(reqId);
      if (!f) return;
      lastHeartbeatAt = clock.now();
      if (![time, o, h, l, c, v].every(Number.isFinite))
        return handlers.onMalformed(`ibkr ${f.symbol}: bad real-time bar`);
      const minuteTs = Math.floor((time * 1000) / 60_000) * 60_000;
      const m = f.minute;
      if (m && m.ts !== minuteTs) {
        handlers.onEvent({ type: 'bar', bar: m });
        f.minute = null;
      }
      if (!f.minute) {
        f.minute = { symbol: f.symbol, ts: minuteTs, o, h, l, c, v, n: count, provider: 'ibkr' };
        if (wap > 0) f.minute.vw = wap;
      } else {
        const b = f.minute;
        const vol = b.v + v;
        if (b.vw !== undefined && wap > 0 && vol > 0) b.vw = (b.vw * b.v + wap * v) / vol;
        b.h = Math.max(b.h, h);
        b.l = Math.min(b.l, l);
        b.c = c;
        b.v = vol;
        b.n = (b.n ?? 0) + count;
      }
    };
    const offError = connection.onError((e) => {
      const f = feeds.get(e.reqId);
      if (!f) return;
      // 200 (no security definition), 354 (not subscribed) and the like: never a price.
      handlers.onMalformed(`ibkr ${f.symbol}: IB error ${e.code}: ${e.message}`);
    });
    const offState = connection.onState((state, reason) => {
      if (state === 'connected') {
        handlers.onStatus({ state: 'connected' });
        for (const f of [...bySymbol.values()]) unsubscribe(f);
        for (const s of wanted) subscribe(s);
      } else if (state === 'disconnected') {
        handlers.onStatus({ state: 'disconnected', fault: 'down', message: reason });
      }
    });
    api.on(EventName.tickPrice, onTickPrice);
    api.on(EventName.tickSize, onTickSize);
    api.on(EventName.realtimeBar, onRealtimeBar);
    handlers.onStatus({ state: 'connecting' });
    if (connection.isConnected()) {
      handlers.onStatus({ state: 'connected' });
      for (const s of wanted) subscribe(s);
    }
    return {
      setSymbols: (next) => {
        wanted = [...new Set(next)];
        for (const f of [...bySymbol.values()]) if (!wanted.includes(f.symbol)) unsubscribe(f);
        if (connection.isConnected()) for (const s of wanted) if (!bySymbol.has(s)) subscribe(s);
      },
      close: async () => {
        for (const f of [...bySymbol.values()]) unsubscribe(f);
        api.off(EventName.tickPrice, onTickPrice);
        api.off(EventName.tickSize, onTickSize);
        api.off(EventName.realtimeBar, onRealtimeBar);
        offError();
        offState();
      },
      // IB sends no market-data heartbeat and a quiet symbol sends nothing; the socket being up
      // with no 1100 "connectivity lost" notice is our sign of life.
      get lastHeartbeatAt() {
        return connection.isConnected() ? clock.now() : lastHeartbeatAt;
      },
    };
  }
}
