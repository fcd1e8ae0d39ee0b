/** Providers: enable, priority by up/down buttons (no drag), plan limits and cost per request. */
import { useState } from 'react';
import type { ProviderName } from '../../../shared/domain';
import { errorFor, fromNumber, toNumber } from './fields';
import type { TabProps } from './types';

type PlanDraft = { perMinute: string; perDay: string; costPerRequestUsd: string };

export function ProvidersTab({ view, errors, save, busy }: TabProps) {
  const [enabled, setEnabled] = useState<ProviderName[]>(view.providers.enabled);
  const [plans, setPlans] = useState<Record<string, PlanDraft>>(() =>
    Object.fromEntries(
      Object.entries(view.providers.plans).map(([name, p]) => [
        name,
        {
          perMinute: fromNumber(p.perMinute),
          perDay: fromNumber(p.perDay),
          costPerRequestUsd: fromNumber(p.costPerRequestUsd),
        },
      ]),
    ),
  );
  const order = [...enabled, ...view.providers.available.filter((p) => !enabled.includes(p))];
  const move = (name: ProviderName, by: -1 | 1) =>
    setEnabled((list) => {
      const i = list.indexOf(name);
      const j = i + by;
      if (i < 0 || j < 0 || j >= list.length) return list;
      const next = [...list];
      [next[i], next[j]] = [next[j]!, next[i]!];
      return next;
    });
  const toggle = (name: ProviderName, on: boolean) =>
    setEnabled((list) => (on ? [...list, name] : list.filter((p) => p !== name)));
  const setPlan = (name: string, field: keyof PlanDraft, v: string) =>
    setPlans((ps) => ({ ...ps, [name]: { ...ps[name]!, [field]: v } }));
  const onSave = () =>
    void save([
      [
        'providers',
        {
          enabled,
          plans: Object.fromEntries(
            Object.entries(plans).map(([name, p]) => [
              name,
              {
                perMinute: toNumber(p.perMinute, true),
                perDay: toNumber(p.perDay, true),
                costPerRequestUsd: toNumber(p.costPerRequestUsd),
              },
            ]),
          ),
        },
      ],
    ]);
  const listError = errorFor(errors, 'providers.enabled');
  return (
    <form className="settings-form" onSubmit={(e) => e.preventDefault()}>
      <p className="settings-note">
        The provider set, its priority and the plan limits apply after a restart. Empty limit: none.
      </p>
      <table className="settings-table">
        <thead>
          <tr>
            <th scope="col">On</th>
            <th scope="col">Provider</th>
            <th scope="col">Priority</th>
            <th scope="col">Requests/min</th>
            <th scope="col">Requests/day</th>
            <th scope="col">USD/request</th>
          </tr>
        </thead>
        <tbody>
          {order.map((name) => {
            const rank = enabled.indexOf(name);
            const plan = plans[name];
            const planError = errorFor(errors, `providers.plans.${name}`);
            return (
              <tr key={name} className={rank < 0 ? 'off' : ''}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Enable ${name}`}
                    checked={rank >= 0}
                    onChange={(e) => toggle(name, e.target.checked)}
                  />
                </td>
                <td>{name}</td>
                <td className="priority">
                  {rank >= 0 ? (
                    <>
                      <span className="rank">{rank + 1}</span>
                      <button
                        type="button"
                        aria-label={`Move ${name} up`}
                        disabled={rank === 0}
                        onClick={() => move(name, -1)}
                      >
                        ▲
                      </button>
                      <button
                        type="button"
                        aria-label={`Move ${name} down`}
                        disabled={rank === enabled.length - 1}
                        onClick={() => move(name, 1)}
                      >
                        ▼
                      </button>
                    </>
                  ) : (
                    <span className="muted">off</span>
                  )}
                </td>
                {plan &&
                  (['perMinute', 'perDay', 'costPerRequestUsd'] as const).map((f) => (
                    <td key={f}>
                      <input
                        className="narrow"
                        aria-label={`${name} ${f === 'perMinute' ? 'requests per minute' : f === 'perDay' ? 'requests per day' : 'cost per request'}`}
                        aria-invalid={Boolean(errors[`providers.plans.${name}.${f}`])}
                        inputMode="decimal"
                        value={plan[f]}
                        placeholder="no limit"
                        onChange={(e) => setPlan(name, f, e.target.value)}
                      />
                    </td>
                  ))}
                {planError && (
                  <td className="field-error" role="alert">
                    {planError}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
      {listError && (
        <p className="field-error" role="alert">
          {listError}
        </p>
      )}
      <div className="settings-actions">
        <button type="submit" className="primary" disabled={busy} onClick={onSave}>
          {busy ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}
