/**
 * Builds the configured providers. Keys come from the SecretStore, base URLs from overrides
 * (config file or KESTREL_<PROVIDER>_REST_URL / _WS_URL) so tests and users can point elsewhere.
 */
import type { Bar, ProviderName } from '../../../shared/domain';
import type { Clock } from '../../clock';
import type { IbConnection } from '../../ibkr/connection';
import type { SecretStore } from '../../secrets';
import type { MarketDataProvider } from '../provider';
import { AlpacaProvider } from './alpaca';
import { AlphaVantageProvider } from './alphavantage';
import { FinnhubProvider } from './finnhub';
import { IbkrProvider } from './ibkr';
import { PolygonProvider } from './polygon';
import { ReplayProvider } from './replay';
import { SyntheticProvider } from './synthetic';
import { YahooProvider } from './yahoo';

export interface ProviderFactoryOptions {
  names: readonly ProviderName[];
  urls: Record<string, string>;
  secrets: SecretStore;
  clock: Clock;

  syntheticSessions: 'nyse' | 'always';
  /** The shared gateway connection, when IBKR is configured. */
  ib?: IbConnection;
  /** What the replay feed plays: stored bars, loaded when the stream starts. */
  replay?: { load: () => readonly Bar[]; interval: '1m' | '1d'; speed: number };
}

export class ProviderConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProviderConfigError';
  }
}

export function createProviders(o: ProviderFactoryOptions): MarketDataProvider[] {
  const need = (name: Parameters<SecretStore['get']>[0], provider: string): string => {
    const v = o.secrets.get(name);
    if (!v) throw new ProviderConfigError(`${provider} is configured but ${name} is not set`);
    return v;
  };
  const url = (key: string) => o.urls[key];
  return o.names.map((name): MarketDataProvider => {
    switch (name) {
      case 'polygon':
        return new PolygonProvider({
          apiKey: need('POLYGON_API_KEY', name),
          restUrl: url('polygon.rest'),
          wsUrl: url('polygon.ws'),
          clock: o.clock,
        });
      case 'alpaca':
        return new AlpacaProvider({
          apiKey: need('ALPACA_API_KEY_ID', name),
          secret: need('ALPACA_API_SECRET_KEY', name),
          restUrl: url('alpaca.rest'),
          wsUrl: url('alpaca.ws'),
          clock: o.clock,
        });
      case 'finnhub':
        return new FinnhubProvider({
          apiKey: need('FINNHUB_API_KEY', name),
          restUrl: url('finnhub.rest'),
          wsUrl: url('finnhub.ws'),
          clock: o.clock,
        });
      case 'alphavantage':
        return new AlphaVantageProvider({
          apiKey: need('ALPHAVANTAGE_API_KEY', name),
          restUrl: url('alphavantage.rest'),
          clock: o.clock,
        });
      case 'yahoo':
        return new YahooProvider({ restUrl: url('yahoo.rest'), clock: o.clock });
      case 'synthetic':
        return new SyntheticProvider({
          clock: o.clock,
          sessions: o.syntheticSessions,
        });
      case 'ibkr':
        if (!o.ib) throw new ProviderConfigError('ibkr needs the IB Gateway connection');
        return new IbkrProvider({ connection: o.ib, clock: o.clock });
      case 'replay':
        if (!o.replay) throw new ProviderConfigError('replay needs stored bars to play');
        return new ReplayProvider({
          bars: o.replay.load,
          intervalMs: o.replay.interval === '1d' ? 86_400_000 : 60_000,
          speed: o.replay.speed,
          clock: o.clock,
        });
    }
  });
}
