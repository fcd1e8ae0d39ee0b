/**
 * Provider comparison: one row per provider, live (rows arrive about once a second), sortable by
 * any column, with a manual failover control per symbol.
 */
import { useMemo, useState } from 'react';
import type { ProviderName, ProviderRow } from '../../../shared/domain';
import { useApi } from '../apiContext';
import { useApp } from '../store/appStore';

type Column = { key: keyof ProviderRow; label: string; render: (r: ProviderRow) => string };

const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(1)}%`);
const ms = (v: number | null) =>
  v === null ? '–' : v >= 10_000 ? `${(v / 1000).toFixed(0)} s` : `${Math.round(v)} ms`;

const COLUMNS: Column[] = [
  { key: 'name', label: 'Provider', render: (r) => r.name },
  { key: 'state', label: 'State', render: (r) => r.state },
  { key: 'breaker', label: 'Breaker', render: (r) => r.breaker },
  { key: 'health', label: 'Health', render: (r) => r.health.toFixed(2) },
  { key: 'successRate', label: 'Success', render: (r) => pct(r.successRate) },
  { key: 'latencyP95Ms', label: 'Latency p95', render: (r) => ms(r.latencyP95Ms) },
  { key: 'freshnessP95Ms', label: 'Freshness p95', render: (r) => ms(r.freshnessP95Ms) },
  { key: 'mismatchRate', label: 'Mismatch', render: (r) => pct(r.mismatchRate) },
  { key: 'requestsToday', label: 'Used / cap', render: (r) => `${r.requestsToday} / ${r.dailyCap ?? '∞'}` },
  {
    key: 'costPerQuoteUsd',
    label: '$/quote',
    render: (r) => (r.costPerQuoteUsd === null ? '–' : `$${r.costPerQuoteUsd.toFixed(4)}`),
  },
];

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  return typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
}

export function ProvidersPanel() {
  const { client } = useApi();
  const providers = useApp((s) => s.providers);
  const symbols = useApp((s) => s.symbols);
  const active = useApp((s) => s.activeProviders);
  const setError = useApp((s) => s.setError);
  const [sort, setSort] = useState<{ key: keyof ProviderRow; dir: 1 | -1 }>({ key: 'health', dir: -1 });
  const rows = useMemo(
    () => [...providers].sort((a, b) => sort.dir * compare(a[sort.key], b[sort.key])),
    [providers, sort],
  );

  async function failover(symbol: string, to: ProviderName) {
    try {
      await client.invoke('failover', { symbol, to });
      setError(null);
    } catch (err) {
      setError(`Failover refused: ${(err as Error).message}`);
    }
  }

  return (
    <section className="panel" aria-labelledby="providers-title">
      <h2 id="providers-title">Providers</h2>
      <table className="grid providers" aria-label="Provider comparison">
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th
                key={c.key}
                scope="col"
                aria-sort={sort.key === c.key ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}
              >
                <button
                  type="button"
                  className="sort"
                  onClick={() => setSort((s) => ({ key: c.key, dir: s.key === c.key ? (s.dir === 1 ? -1 : 1) : -1 }))}
                >
                  {c.label}
                  {sort.key === c.key ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.name} className={`prov-${r.state}`} title={r.reason}>
              {COLUMNS.map((c) => (
                <td key={c.key}>
                  {c.render(r)}
                  {c.key === 'name' && r.sim && <span className="sim-badge">SIM</span>}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <h3 className="subhead" id="active-title">
        Active provider per symbol
      </h3>
      <table className="grid" aria-labelledby="active-title">
        <tbody>
          {symbols.map((s) => (
            <tr key={s.symbol}>
              <th scope="row">{s.symbol}</th>
              <td>{active[s.symbol] ?? 'none'}</td>
              <td>
                <label>
                  <span className="visually-hidden">Fail over {s.symbol} to</span>
                  <select
                    aria-label={`Fail over ${s.symbol} to`}
                    value=""
                    onChange={(e) => e.target.value && void failover(s.symbol, e.target.value as ProviderName)}
                  >
                    <option value="">Fail over to…</option>
                    {providers
                      .filter((p) => p.name !== active[s.symbol])
                      .map((p) => (
                        <option key={p.name} value={p.name}>
                          {p.name}
                        </option>
                      ))}
                  </select>
                </label>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
