/**
 * Finds the Electron binary without importing 'electron': from plain Node, require('electron')
 * would try to download it, which this machine (and any offline box) cannot do.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface ElectronBinary {
  version: string | null;
  /** The executable, when it exists on disk. */
  path: string | null;
}

export function findElectronBinary(fromDir: string = process.cwd()): ElectronBinary {
  let pkgFile: string;
  try {
    pkgFile = createRequire(path.join(fromDir, 'noop.js')).resolve('electron/package.json');
  } catch {
    return { version: null, path: null };
  }
  const dir = path.dirname(pkgFile);
  const version = (JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { version: string }).version;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const pathTxt = path.join(dir, 'path.txt');
  const rel = fs.existsSync(pathTxt) ? fs.readFileSync(pathTxt, 'utf8').trim() : null;
  if (!rel) return { version, path: null };
  const exe = override ? path.join(override, rel) : path.join(dir, 'dist', rel);
  return { version, path: fs.existsSync(exe) ? exe : null };
}
