#!/usr/bin/env node
// `npm start`: build when the sources changed, then launch Electron where its binary exists (or
// can be fetched); otherwise say so in one line and serve the same UI in headless mode.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'out', '.build-stamp');
const passThrough = process.argv.slice(2);

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  return r.status ?? 1;
}

const built = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0;
if (newestMtime(path.join(root, 'src')) > built) {
  if (
    run(process.execPath, [path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build']) !== 0
  )
    process.exit(1);
  fs.writeFileSync(stamp, new Date().toISOString());
}

const { findElectronBinary } = await import(path.join(root, 'out', 'main', 'cli.js'));
let electron = findElectronBinary(root);
if (!electron.path && electron.version && !process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
  // Electron fetches its binary on first use; an offline box fails fast and we fall back.
  spawnSync(process.execPath, [path.join(root, 'node_modules', 'electron', 'install.js')], {
    cwd: root,
    stdio: 'ignore',
    timeout: 120_000,
  });
  electron = findElectronBinary(root);
}

if (electron.path) {
  const child = spawn(electron.path, [root, ...passThrough], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log('Electron binary not installed here: serving the same UI in headless mode (open the URL below).');
  const child = spawn(process.execPath, [path.join(root, 'bin', 'kestrel.mjs'), 'serve', ...passThrough], {
    cwd: root,
    stdio: 'inherit',
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
}
