/** The IB, Risk (limits and kill triggers) and Signals tabs: plain fields over one or two sections. */
import { useState } from 'react';
import type { SettingsView } from '../../../shared/domain';
import { Field, fromNumber, NumberInput, toNumber, Toggle } from './fields';
import type { TabProps } from './types';

function SaveBar({ busy, onSave }: { busy: boolean; onSave: () => void }) {
  return (
    <div className="settings-actions">
      <button type="submit" className="primary" disabled={busy} onClick={onSave}>
        {busy ? 'Saving…' : 'Save'}
      </button>
    </div>
  );
}

export function IbTab({ view, errors, save, busy }: TabProps) {
  const [host, setHost] = useState(view.ib.host);
  const [port, setPort] = useState(fromNumber(view.ib.port));
  const [clientId, setClientId] = useState(fromNumber(view.ib.clientId));
  const [account, setAccount] = useState(view.ib.account ?? '');
  const onSave = () =>
    void save([
      [
        'ib',
        {
          host: host.trim(),
          port: toNumber(port),
          clientId: toNumber(clientId),
          account: account.trim() === '' ? null : account.trim(),
        },
      ],
    ]);
  return (
    <form className="settings-form" onSubmit={(e) => e.preventDefault()}>
      <p className="settings-note">The IB connection is built at start: changes here apply after a restart.</p>
      <Field path="ib.host" label="Gateway host" errors={errors}>
        {(p) => <input {...p} value={host} onChange={(e) => setHost(e.target.value)} />}
      </Field>
      <NumberInput
        path="ib.port"
        label="Port"
        hint="4002 paper Gateway, 7497 paper TWS"
        value={port}
        errors={errors}
        onChange={setPort}
      />
      <NumberInput path="ib.clientId" label="Client id" value={clientId} errors={errors} onChange={setClientId} />
      <Field
        path="ib.account"
        label="Expected account"
        hint="A paper account (DU…); empty: the only managed one"
        errors={errors}
      >
        {(p) => <input {...p} value={account} placeholder="DU1234567" onChange={(e) => setAccount(e.target.value)} />}
      </Field>
      <SaveBar busy={busy} onSave={onSave} />
    </form>
  );
}

type RiskKey = keyof SettingsView['risk'];
const RISK_FIELDS: [RiskKey, string, string?][] = [
  ['maxOrderQuantity', 'Max order quantity', 'shares per order'],
  ['maxOrderNotional', 'Max order notional', 'USD per order'],
  ['maxPositionPerSymbol', 'Max position per symbol', 'shares'],
  ['maxGrossExposure', 'Max gross exposure', 'USD'],
  ['dailyLossLimit', 'Daily loss limit', 'USD; reaching it halts trading'],
  ['ordersPerSecond', 'Order rate', 'orders per second'],
  ['orderBurst', 'Order burst', 'orders at once'],
  ['priceBandBps', 'Price band', 'bps from the last quote'],
  ['duplicateWindowMs', 'Duplicate window', 'ms'],
  ['maxQuoteAgeMs', 'Max quote age', 'ms; empty: no limit'],
];

export function RiskTab({ view, errors, save, busy }: TabProps) {
  const [risk, setRisk] = useState(
    Object.fromEntries(RISK_FIELDS.map(([k]) => [k, fromNumber(view.risk[k])])) as Record<RiskKey, string>,
  );
  const [storm, setStorm] = useState(fromNumber(view.kill.rejectStormCount));
  const [stormWindow, setStormWindow] = useState(fromNumber(view.kill.rejectStormWindowMs));
  const [haltOnDisconnect, setHaltOnDisconnect] = useState(view.kill.haltOnDisconnect);
  const [liveToShadow, setLiveToShadow] = useState(view.kill.liveToShadow);
  const onSave = () =>
    void save([
      ['risk', Object.fromEntries(RISK_FIELDS.map(([k]) => [k, toNumber(risk[k], k === 'maxQuoteAgeMs')]))],
      [
        'kill',
        {
          rejectStormCount: toNumber(storm),
          rejectStormWindowMs: toNumber(stormWindow),
          haltOnDisconnect,
          liveToShadow,
        },
      ],
    ]);
  return (
    <form className="settings-form" onSubmit={(e) => e.preventDefault()}>
      <p className="settings-note">Risk limits and kill triggers apply at once.</p>
      <div className="settings-grid">
        {RISK_FIELDS.map(([k, label, hint]) => (
          <NumberInput
            key={k}
            path={`risk.${k}`}
            label={label}
            hint={hint}
            value={risk[k]}
            errors={errors}
            onChange={(v) => setRisk((r) => ({ ...r, [k]: v }))}
          />
        ))}
      </div>
      <h3 className="subhead">Kill triggers</h3>
      <div className="settings-grid">
        <NumberInput
          path="kill.rejectStormCount"
          label="Reject storm: rejects"
          value={storm}
          errors={errors}
          onChange={setStorm}
        />
        <NumberInput
          path="kill.rejectStormWindowMs"
          label="Reject storm: within (ms)"
          value={stormWindow}
          errors={errors}
          onChange={setStormWindow}
        />
      </div>
      <Toggle
        path="kill.haltOnDisconnect"
        label="Halt when the broker disconnects with live orders working"
        checked={haltOnDisconnect}
        onChange={setHaltOnDisconnect}
      />
      <Toggle
        path="kill.liveToShadow"
        label="Move live symbols to shadow on halt"
        checked={liveToShadow}
        onChange={setLiveToShadow}
      />
      <SaveBar busy={busy} onSave={onSave} />
    </form>
  );
}

export function SignalsTab({ view, errors, save, busy }: TabProps) {
  const s = view.signals;
  const [threshold, setThreshold] = useState(fromNumber(s.defaultThreshold));
  const [cooldown, setCooldown] = useState(fromNumber(s.cooldownMs));
  const [maxAge, setMaxAge] = useState(fromNumber(s.maxFeatureAgeMs));
  const [extended, setExtended] = useState(s.allowExtendedHours);
  const [rows, setRows] = useState(Object.entries(s.thresholds).map(([k, v]) => ({ key: k, value: fromNumber(v) })));
  const onSave = () =>
    void save([
      [
        'signals',
        {
          defaultThreshold: toNumber(threshold),
          thresholds: Object.fromEntries(rows.map((r) => [r.key.trim().toUpperCase(), toNumber(r.value)])),
          cooldownMs: toNumber(cooldown),
          maxFeatureAgeMs: toNumber(maxAge),
          allowExtendedHours: extended,
        },
      ],
    ]);
  return (
    <form className="settings-form" onSubmit={(e) => e.preventDefault()}>
      <p className="settings-note">Thresholds, cooldown and gate checks apply to the next decision.</p>
      <div className="settings-grid">
        <NumberInput
          path="signals.defaultThreshold"
          label="Confidence threshold"
          hint="0–1; a signal below it is blocked"
          value={threshold}
          errors={errors}
          onChange={setThreshold}
        />
        <NumberInput
          path="signals.cooldownMs"
          label="Cooldown (ms)"
          value={cooldown}
          errors={errors}
          onChange={setCooldown}
        />
        <NumberInput
          path="signals.maxFeatureAgeMs"
          label="Gate: max feature age (ms)"
          value={maxAge}
          errors={errors}
          onChange={setMaxAge}
        />
      </div>
      <Toggle
        path="signals.allowExtendedHours"
        label="Gate: allow extended hours"
        checked={extended}
        onChange={setExtended}
      />
      <h3 className="subhead">Per symbol thresholds</h3>
      {rows.map((r, i) => (
        <div className="settings-row" key={i}>
          <Field
            path={`signals.thresholds.${r.key.trim().toUpperCase() || i}`}
            label="Symbol or A/B pair"
            errors={errors}
          >
            {(p) => (
              <input
                {...p}
                value={r.key}
                onChange={(e) => setRows((rs) => rs.map((x, j) => (j === i ? { ...x, key: e.target.value } : x)))}
              />
            )}
          </Field>
          <NumberInput
            path={`signals.thresholds.${r.key.trim().toUpperCase() || i}.value`}
            label="Threshold"
            value={r.value}
            errors={{}}
            onChange={(v) => setRows((rs) => rs.map((x, j) => (j === i ? { ...x, value: v } : x)))}
          />
          <button
            type="button"
            aria-label={`Remove threshold ${r.key}`}
            onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}
          >
            Remove
          </button>
        </div>
      ))}
      <button
        type="button"
        onClick={() => setRows((rs) => [...rs, { key: '', value: fromNumber(s.defaultThreshold) }])}
      >
        Add symbol threshold
      </button>
      <SaveBar busy={busy} onSave={onSave} />
    </form>
  );
}
