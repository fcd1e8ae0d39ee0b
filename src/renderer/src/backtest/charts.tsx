/**
 * Inline SVG line charts for the Backtest panel: equity against the benchmark, the underwater
 * (drawdown) curve, and two normalised runs. SVG scales to the panel without a canvas library and
 * is readable by a screen reader through its title and summary.
 */
import { formatPct, nyDayOf } from './format';

export interface Line {
  name: string;
  className: string;
  points: { ts: number; value: number }[];
}

const W = 600;
const H = 160;
const PAD = { l: 48, r: 8, t: 8, b: 18 };

function path(points: { ts: number; value: number }[], x: (t: number) => number, y: (v: number) => number): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.ts).toFixed(1)},${y(p.value).toFixed(1)}`).join('');
}

export function LineChart({
  title,
  lines,
  format,
  area = false,
}: {
  title: string;
  lines: Line[];
  format: (v: number) => string;
  /** Fill down to zero (the underwater curve). */
  area?: boolean;
}) {
  const all = lines.flatMap((l) => l.points);
  if (all.length < 2) {
    return <p className="muted">Not enough points to draw {title.toLowerCase()}.</p>;
  }
  const t0 = Math.min(...all.map((p) => p.ts));
  const t1 = Math.max(...all.map((p) => p.ts));
  let v0 = Math.min(...all.map((p) => p.value));
  let v1 = Math.max(...all.map((p) => p.value));
  if (area) v1 = Math.max(v1, 0);
  if (v1 === v0) {
    v0 -= 1;
    v1 += 1;
  }
  const x = (t: number) => PAD.l + ((t - t0) / Math.max(1, t1 - t0)) * (W - PAD.l - PAD.r);
  const y = (v: number) => PAD.t + (1 - (v - v0) / (v1 - v0)) * (H - PAD.t - PAD.b);
  const ticks = [v0, (v0 + v1) / 2, v1];
  const summary = lines
    .map((l) => {
      const last = l.points[l.points.length - 1];
      return last ? `${l.name} ends at ${format(last.value)}` : `${l.name}: no points`;
    })
    .join('; ');
  return (
    <figure className="bt-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}: ${summary}`}>
        {ticks.map((v) => (
          <g key={v}>
            <line className="bt-grid" x1={PAD.l} x2={W - PAD.r} y1={y(v)} y2={y(v)} />
            <text className="bt-axis" x={PAD.l - 4} y={y(v) + 3} textAnchor="end">
              {format(v)}
            </text>
          </g>
        ))}
        <text className="bt-axis" x={PAD.l} y={H - 4}>
          {nyDayOf(t0)}
        </text>
        <text className="bt-axis" x={W - PAD.r} y={H - 4} textAnchor="end">
          {nyDayOf(t1)}
        </text>
        {lines.map((l) =>
          area ? (
            <path
              key={l.name}
              className={l.className}
              d={`${path(l.points, x, y)}L${x(l.points[l.points.length - 1]!.ts)},${y(0)}L${x(l.points[0]!.ts)},${y(0)}Z`}
            />
          ) : (
            <path key={l.name} className={l.className} d={path(l.points, x, y)} fill="none" />
          ),
        )}
      </svg>
      <figcaption>
        <span className="bt-title">{title}</span>
        {lines.map((l) => (
          <span key={l.name} className={`bt-legend ${l.className}`}>
            {l.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

export const pctAxis = (v: number) => formatPct(v, 0);
export const multipleAxis = (v: number) => `${v.toFixed(2)}×`;
export const moneyAxis = (v: number) =>
  Math.abs(v) >= 1e6 ? `${(v / 1e6).toFixed(1)}M` : Math.abs(v) >= 1e3 ? `${(v / 1e3).toFixed(0)}k` : v.toFixed(0);
