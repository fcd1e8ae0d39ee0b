#!/usr/bin/env node
// The `kestrel` command: runs the built CLI (out/main/cli.js), which `npm install` builds via `prepare`.
import { existsSync } from 'node:fs';

const cli = new URL('../out/main/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('kestrel: not built yet; run `npm run build` in the project folder first');
  process.exit(1);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
