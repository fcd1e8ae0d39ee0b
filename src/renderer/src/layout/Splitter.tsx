/**
 * A column resizer between the workspace's side columns and the chart: drag it, or focus it and
 * use the arrow keys (Shift for bigger steps, Home/End for the limits). WAI-ARIA window splitter.
 */
import { useRef, type KeyboardEvent, type PointerEvent } from 'react';
import { WIDTH_LIMITS, type Column } from './layoutState';
import { useLayout } from './layoutStore';

const STEP = 16;
const BIG_STEP = 64;

export function Splitter({ column, label }: { column: Column; label: string }) {
  const width = useLayout((s) => (column === 'left' ? s.leftWidth : s.rightWidth));
  const setWidth = useLayout((s) => s.setWidth);
  const drag = useRef<{ x: number; width: number } | null>(null);
  const { min, max } = WIDTH_LIMITS[column];
  // The left column grows to the right; the right column grows to the left.
  const sign = column === 'left' ? 1 : -1;

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    const step = e.shiftKey ? BIG_STEP : STEP;
    const next =
      e.key === 'ArrowRight'
        ? width + sign * step
        : e.key === 'ArrowLeft'
          ? width - sign * step
          : e.key === 'Home'
            ? min
            : e.key === 'End'
              ? max
              : null;
    if (next === null) return;
    e.preventDefault();
    setWidth(column, next);
  }

  function onPointerDown(e: PointerEvent<HTMLDivElement>) {
    drag.current = { x: e.clientX, width };
    e.currentTarget.setPointerCapture(e.pointerId);
  }
  function onPointerMove(e: PointerEvent<HTMLDivElement>) {
    const d = drag.current;
    if (d) setWidth(column, d.width + sign * (e.clientX - d.x));
  }
  function onPointerUp(e: PointerEvent<HTMLDivElement>) {
    drag.current = null;
    e.currentTarget.releasePointerCapture(e.pointerId);
  }

  return (
    <div
      className={`splitter splitter-${column}`}
      role="separator"
      tabIndex={0}
      aria-orientation="vertical"
      aria-label={label}
      aria-valuenow={width}
      aria-valuemin={min}
      aria-valuemax={max}
      aria-valuetext={`${width} pixels`}
      onKeyDown={onKeyDown}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
    />
  );
}
