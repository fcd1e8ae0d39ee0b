/** Chart colours from the current theme's CSS variables (lightweight-charts draws on canvas, not CSS). */

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

/** Options for IChartApi.applyOptions: background, text, grid and borders. */
export function chartThemeOptions() {
  const text = cssVar('--muted', '#8b949e');
  const grid = cssVar('--border', '#30363d');
  return {
    layout: { background: { color: cssVar('--panel', '#161b22') }, textColor: text, panes: { separatorColor: grid } },
    grid: { vertLines: { color: `${grid}80` }, horzLines: { color: `${grid}80` } },
    rightPriceScale: { borderColor: grid },
    timeScale: { borderColor: grid },
  };
}
