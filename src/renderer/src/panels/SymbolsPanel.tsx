import type { SymbolMode } from '../../../shared/domain';
import { useApi } from '../apiContext';
import { useApp } from '../store/appStore';

const MODES: SymbolMode[] = ['off', 'shadow', 'live'];

export function SymbolsPanel() {
  const { client } = useApi();
  const symbols = useApp((s) => s.symbols);
  const setError = useApp((s) => s.setError);
  const applySymbol = useApp((s) => s.applySymbol);

  async function setMode(symbol: string, mode: SymbolMode) {
    try {
      applySymbol(await client.invoke('setSymbolMode', { symbol, mode }));
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  }

  return (
    <section className="panel" aria-labelledby="symbols-title">
      <h2 id="symbols-title">Symbols</h2>
      <table className="grid">
        <thead>
          <tr>
            <th scope="col">Symbol</th>
            <th scope="col">Mode</th>
          </tr>
        </thead>
        <tbody>
          {symbols.map((s) => (
            <tr key={s.symbol}>
              <th scope="row">{s.symbol}</th>
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
          ))}
        </tbody>
      </table>
    </section>
  );
}
