/** Form fields for the settings dialog: a label, the input, and the engine's error for that path inline. */
import type { ReactNode } from 'react';

/** "risk.maxOrderQuantity: Too small; risk.x: …" (INVALID_INPUT) → by path; the rest under ''. */
export function parseFieldErrors(message: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of message.split('; ')) {
    const m = /^([a-zA-Z][\w.]*): (.+)$/.exec(part);
    if (m) out[m[1]!] = m[2]!;
    else out[''] = out[''] ? `${out['']}; ${part}` : part;
  }
  return out;
}

/** The error for a field: its own path or one below it (e.g. providers.plans.yahoo.perMinute). */
export function errorFor(errors: Record<string, string>, path: string): string | undefined {
  if (errors[path]) return errors[path];
  const below = Object.keys(errors).find((k) => k.startsWith(`${path}.`));
  return below ? `${below.slice(path.length + 1)}: ${errors[below]}` : undefined;
}

const idOf = (path: string) => `setting-${path.replace(/\./g, '-')}`;

interface FieldProps {
  path: string;
  label: string;
  hint?: string;
  errors: Record<string, string>;
  children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactNode;
}

export function Field({ path, label, hint, errors, children }: FieldProps) {
  const id = idOf(path);
  const error = errorFor(errors, path);
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': Boolean(error), ...(error ? { 'aria-describedby': `${id}-error` } : {}) })}
      {hint && !error && <span className="hint">{hint}</span>}
      {error && (
        <span className="field-error" id={`${id}-error`} role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

/** A number typed as text: what was typed goes to the engine, which says what is wrong with it. */
export function toNumber(text: string, nullable = false): number | string | null {
  const t = text.trim();
  if (t === '') return nullable ? null : t;
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
}

export const fromNumber = (n: number | null): string => (n === null ? '' : String(n));

interface NumberInputProps {
  path: string;
  label: string;
  hint?: string;
  value: string;
  errors: Record<string, string>;
  onChange: (v: string) => void;
}

export function NumberInput({ path, label, hint, value, errors, onChange }: NumberInputProps) {
  return (
    <Field path={path} label={label} hint={hint} errors={errors}>
      {(p) => <input {...p} inputMode="decimal" value={value} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );
}

export function Toggle({
  path,
  label,
  checked,
  onChange,
}: {
  path: string;
  label: string;
  checked: boolean;
  onChange: (v: boolean) => void;
}) {
  return (
    <div className="field toggle">
      <label>
        <input type="checkbox" id={idOf(path)} checked={checked} onChange={(e) => onChange(e.target.checked)} />
        {label}
      </label>
    </div>
  );
}
