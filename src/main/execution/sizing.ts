/**
 * Per-symbol order sizing. Whole shares only, rounded down: sizing never buys more than asked for.
 * A size that rounds to zero is refused with a reason rather than sent as a zero-share order.
 */
export type SizingRule =
  | { kind: 'fixedQuantity'; quantity: number }
  /** Dollars per order, divided by the reference price. */
  | { kind: 'fixedNotional'; notional: number }
  /** Percent (0–100] of account equity per order. */
  | { kind: 'percentEquity'; percent: number };

export interface SizingInput {
  /** Reference price (last quote); needed for notional and % of equity. */
  price: number | null;
  /** Account equity in the order's mode; needed for % of equity. */
  equity: number | null;
}

export type SizingResult = { ok: true; quantity: number } | { ok: false; reason: string };

export function sizeOrder(rule: SizingRule, input: SizingInput): SizingResult {
  const invalid = validateRule(rule);
  if (invalid) return { ok: false, reason: invalid };
  let shares: number;
  switch (rule.kind) {
    case 'fixedQuantity':
      shares = rule.quantity;
      break;
    case 'fixedNotional': {
      if (!validPrice(input.price)) return { ok: false, reason: 'no valid price to size a fixed-notional order' };
      shares = rule.notional / input.price;
      break;
    }
    case 'percentEquity': {
      if (!validPrice(input.price)) return { ok: false, reason: 'no valid price to size a %-of-equity order' };
      if (input.equity === null || !Number.isFinite(input.equity) || input.equity <= 0)
        return { ok: false, reason: 'no positive equity to size a %-of-equity order' };
      shares = (input.equity * rule.percent) / 100 / input.price;
      break;
    }
  }
  // The epsilon keeps 1000 / 0.1 = 9999.999… from becoming 9999.
  const quantity = Math.floor(shares + 1e-9);
  if (quantity < 1) return { ok: false, reason: `size rounds to 0 shares (${shares.toFixed(4)})` };
  return { ok: true, quantity };
}

/** A clear message for a bad rule (from settings or the UI), or null when it is usable. */
export function validateRule(rule: SizingRule): string | null {
  switch (rule.kind) {
    case 'fixedQuantity':
      return Number.isInteger(rule.quantity) && rule.quantity > 0
        ? null
        : `fixed quantity must be a positive whole number of shares, got ${rule.quantity}`;
    case 'fixedNotional':
      return Number.isFinite(rule.notional) && rule.notional > 0
        ? null
        : `fixed notional must be a positive dollar amount, got ${rule.notional}`;
    case 'percentEquity':
      return Number.isFinite(rule.percent) && rule.percent > 0 && rule.percent <= 100
        ? null
        : `percent of equity must be in (0, 100], got ${rule.percent}`;
  }
}

function validPrice(p: number | null): p is number {
  return p !== null && Number.isFinite(p) && p > 0;
}
