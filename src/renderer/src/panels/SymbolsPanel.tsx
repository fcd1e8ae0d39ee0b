import { Fragment, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import type { MarketTick, SymbolMode } from '../../../shared/domain';
import { useApi } from '../apiContext';
import { LivePromotion } from '../execution/LivePromotion';
import { useApp } from '../store/appStore';
import { useRegisterActions } from '../palette/useRegisterActions';

const MODES: SymbolMode[] = ['off', 'shadow', 'live'];

export function SymbolsPanel() {
  const { client } = useApi();
  const symbols = useApp((s) => s.symbols);
  const setError = useApp((s) => s.setError);
  const applySymbol = useApp((s) => s.applySymbol);
  const ticks = useApp((s) => s.ticks);
  const active = useApp((s) => s.activeProviders);
  const providers = useApp((s) => s.providers);
  const sim = new Set(providers.filter((p) => p.sim).map((p) => p.name));
  const [firstSeen] = useState(() => new Map<string, number>());

  const [draft, setDraft] = useState('');
  // The symbol being promoted to live: its row shows gates, broker and the override.
  const [promoting, setPromoting] = useState<string | null>(null);

  async function addSymbol(e: FormEvent) {
    e.preventDefault();
    const symbol = draft.trim().toUpperCase();
    if (!symbol) return;
    try {
      applySymbol(await client.invoke('addSymbol', { symbol }));
      setDraft('');
      setError(null);
    } catch (err) {
      setError(`Cannot watch ${symbol}: ${(err as Error).message}`);
    }
  }

  async function setMode(symbol: string, mode: SymbolMode) {
    if (mode === 'live' && symbols.find((x) => x.symbol === symbol)?.mode !== 'live') {
      setPromoting(symbol);
      return;
    }
    if (promoting === symbol) setPromoting(null);
    try {
      applySymbol(await client.invoke('setSymbolMode', { symbol, mode }));
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  }

  // The palette switches modes through the same setMode: going live opens the same promotion row.
  const setModeRef = useRef(setMode);
  useEffect(() => {
    setModeRef.current = setMode;
  });
  const modeKey = symbols.map((s) => `${s.symbol}:${s.mode}`).join(',');
  const actions = useMemo(
    () =>
      modeKey
        .split(',')
        .filter(Boolean)
        .flatMap((entry) => {
          const [symbol, current] = entry.split(':') as [string, SymbolMode];
          return MODES.filter((m) => m !== current).map((m) => ({
            id: `mode.${symbol}.${m}`,
            group: 'Symbol',
            title: `${symbol}: ${current} → ${m}${m === 'live' ? '…' : ''}`,
            keywords: `mode ${m} set switch`,
            run: () => void setModeRef.current(symbol, m),
          }));
        }),
    [modeKey],
  );
  useRegisterActions('symbols', actions);

  return (
    <section className="panel" aria-labelledby="symbols-title">
      <h2 id="symbols-title">Symbols</h2>
      <table className="grid">
        <thead>
          <tr>
            <th scope="col">Symbol</th>
            <th scope="col" className="price">
              Last
            </th>
            <th scope="col" className="price">
              Chg
            </th>
            <th scope="col">Feed</th>
            <th scope="col">Mode</th>
          </tr>
        </thead>
        <tbody>
          {symbols.map((s) => (
            <Fragment key={s.symbol}>
              <tr>
                <th scope="row">{s.symbol}</th>
                <PriceCells
                  last={priceOf(ticks[s.symbol])}
                  first={firstPrice(firstSeen, s.symbol, priceOf(ticks[s.symbol]))}
                />
                <td>
                  {active[s.symbol] ?? '–'}
                  {active[s.symbol] && sim.has(active[s.symbol]!) && <span className="sim-badge">SIM</span>}
                </td>
                <td>
                  <div className="segmented" role="radiogroup" aria-label={`${s.symbol} mode`}>
                    {MODES.map((m) => (
                      <button
                        key={m}
                        type="button"
                        role="radio"
                        aria-checked={s.mode === m}
                        className={`seg mode-${m}`}
                        onClick={() => void setMode(s.symbol, m)}
                      >
                        {m}
                      </button>
                    ))}
                  </div>
                </td>
              </tr>
              {promoting === s.symbol && (
                <LivePromotion
                  key={`promo-${s.symbol}`}
                  symbol={s.symbol}
                  colSpan={5}
                  onClose={() => setPromoting(null)}
                />
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
      <form className="add-symbol" onSubmit={(e) => void addSymbol(e)}>
        <input
          aria-label="Symbol to watch"
          placeholder="Add symbol, e.g. AAPL"
          value={draft}
          maxLength={16}
          onChange={(e) => setDraft(e.target.value)}
        />
        <button type="submit">Watch</button>
      </form>
    </section>
  );
}

/** The last trade, or the quote mid when no trade has printed yet. */
function priceOf(t: MarketTick | undefined): number | null {
  if (!t) return null;
  if (t.last !== null) return t.last;
  return t.bid !== null && t.ask !== null ? (t.bid + t.ask) / 2 : null;
}

function firstPrice(seen: Map<string, number>, symbol: string, last: number | null): number | null {
  if (last !== null && !seen.has(symbol)) seen.set(symbol, last);
  return seen.get(symbol) ?? null;
}

/** Change since the first price this session saw; ▲/▼ carry the direction, not colour alone. */
function PriceCells({ last, first }: { last: number | null; first: number | null }) {
  if (last === null) {
    return (
      <>
        <td className="price">–</td>
        <td className="price">–</td>
      </>
    );
  }
  const chg = first ? ((last - first) / first) * 100 : 0;
  const dir = chg > 0 ? 'up' : chg < 0 ? 'down' : '';
  return (
    <>
      <td className="price">{last.toFixed(2)}</td>
      <td className={`price ${dir}`}>
        {chg > 0 ? '▲' : chg < 0 ? '▼' : ''} {Math.abs(chg).toFixed(2)}%
      </td>
    </>
  );
}
