/** Plan limits as saved (null: no limit) and as the request budgets take them (Infinity). */
import type { ProviderName, ProviderPlanView } from '../../shared/domain';
import type { ProviderPlanConfig } from '../config';
import { DEFAULT_PLAN, type ProviderPlan } from '../marketdata/service';

/** The plan a provider runs under: its saved one, else the engine's default. */
export function effectivePlan(
  name: ProviderName,
  plans: Partial<Record<ProviderName, ProviderPlanConfig>>,
): ProviderPlanView {
  const saved = plans[name];
  if (saved) return { ...saved };
  return {
    perMinute: Number.isFinite(DEFAULT_PLAN.perMinute) ? DEFAULT_PLAN.perMinute : null,
    perDay: Number.isFinite(DEFAULT_PLAN.perDay) ? DEFAULT_PLAN.perDay : null,
    costPerRequestUsd: DEFAULT_PLAN.costPerRequestUsd,
  };
}

/** Saved plans → RequestBudget configs for MarketDataService. */
export function planBudgets(
  plans: Partial<Record<ProviderName, ProviderPlanConfig>>,
): Partial<Record<ProviderName, ProviderPlan>> {
  const out: Partial<Record<ProviderName, ProviderPlan>> = {};
  for (const [name, p] of Object.entries(plans) as [ProviderName, ProviderPlanConfig][]) {
    out[name] = {
      perMinute: p.perMinute ?? Infinity,
      perDay: p.perDay ?? Infinity,
      costPerRequestUsd: p.costPerRequestUsd,
    };
  }
  return out;
}
