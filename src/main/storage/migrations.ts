/** Numbered migrations, bundled at build time from ./migrations/NNN_name.sql. */
const files = import.meta.glob<string>('./migrations/*.sql', { query: '?raw', import: 'default', eager: true });

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = Object.entries(files)
  .map(([path, sql]) => {
    const m = /\/(\d{3})_([a-z0-9_]+)\.sql$/.exec(path);
    if (!m) throw new Error(`migration file name must be NNN_name.sql: ${path}`);
    return { version: Number(m[1]), name: m[2]!, sql };
  })
  .sort((a, b) => a.version - b.version);

for (const [i, m] of migrations.entries()) {
  if (m.version !== i + 1)
    throw new Error(`migrations must be numbered 001, 002, … without holes; found ${m.version} at ${i + 1}`);
}
