/**
 * A pane resizer: between the side columns and the chart (vertical bars), and above the bottom tabs
 * (a horizontal bar). Drag it, or focus it and use the arrow keys (Shift for bigger steps, Home/End
 * for the limits). The WAI-ARIA window splitter pattern: role=separator with aria-valuenow in px.
 */
import { useRef, type KeyboardEvent, type PointerEvent } from 'react';
import { WIDTH_LIMITS, type Column } from './layoutState';
import { useLayout } from './layoutStore';

const STEP = 16;
const BIG_STEP = 64;

export function Splitter({ column, label }: { column: Column; label: string }) {
  const size = useLayout((s) => (column === 'left' ? s.leftWidth : column === 'right' ? s.rightWidth : s.bottomHeight));
  const setWidth = useLayout((s) => s.setWidth);
  const drag = useRef<{ at: number; size: number } | null>(null);
  const { min, max } = WIDTH_LIMITS[column];
  const horizontal = column === 'bottom';
  // The left column grows rightwards; the right column leftwards; the bottom pane upwards.
  const sign = column === 'left' ? 1 : -1;
  const [grow, shrink] = horizontal ? ['ArrowUp', 'ArrowDown'] : ['ArrowRight', 'ArrowLeft'];

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    const step = e.shiftKey ? BIG_STEP : STEP;
    const towards = horizontal ? 1 : sign;
    const next =
      e.key === grow
        ? size + towards * step
        : e.key === shrink
          ? size - towards * step
          : e.key === 'Home'
            ? min
            : e.key === 'End'
              ? max
              : null;
    if (next === null) return;
    e.preventDefault();
    setWidth(column, next);
  }

  const pos = (e: PointerEvent) => (horizontal ? e.clientY : e.clientX);
  function onPointerDown(e: PointerEvent<HTMLDivElement>) {
    drag.current = { at: pos(e), size };
    e.currentTarget.setPointerCapture(e.pointerId);
  }
  function onPointerMove(e: PointerEvent<HTMLDivElement>) {
    const d = drag.current;
    if (d) setWidth(column, d.size + sign * (pos(e) - d.at));
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
      aria-orientation={horizontal ? 'horizontal' : 'vertical'}
      aria-label={label}
      aria-valuenow={size}
      aria-valuemin={min}
      aria-valuemax={max}
      aria-valuetext={`${size} pixels`}
      onKeyDown={onKeyDown}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
    />
  );
}
