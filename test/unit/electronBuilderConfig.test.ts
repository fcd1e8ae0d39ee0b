/**
 * electron-builder.yml is only exercised by `npm run dist` on the release runners, so its promises
 * are pinned here: targets, the native module unpacked, the resources the engine reads, the icons,
 * and that installing the project never rebuilds native modules for Electron.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
// Both ship with electron-builder (a devDependency); the project itself adds no YAML dependency.
const requireFromRoot = createRequire(path.join(root, 'package.json'));
const yaml = requireFromRoot('js-yaml') as { load(text: string): unknown };
const builderConfig = requireFromRoot('app-builder-lib/out/util/config/config') as {
  validateConfiguration(config: unknown, debugLogger: unknown): Promise<void>;
};
const { DebugLogger } = requireFromRoot('builder-util/out/DebugLogger') as {
  DebugLogger: new (on: boolean) => unknown;
};

interface ExtraResource {
  from: string;
  to: string;
  filter?: string[];
}
interface BuilderConfig {
  appId: string;
  productName: string;
  directories: { output: string; buildResources: string };
  files: string[];
  extraResources: ExtraResource[];
  asar: boolean;
  asarUnpack: string[];
  npmRebuild: boolean;
  electronFuses: Record<string, boolean>;
  publish: unknown;
  linux: { target: string[]; icon: string };
  win: { target: string[]; icon: string };
  mac: { target: string[]; icon: string };
}

const config = yaml.load(fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  main: string;
  scripts: Record<string, string>;
};

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const buf = fs.readFileSync(file);
  expect(buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), file).toBe(true);
  expect(buf.toString('ascii', 12, 16)).toBe('IHDR');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

describe('electron-builder.yml', () => {
  it("passes electron-builder's own schema", { timeout: 60_000 }, async () => {
    await expect(builderConfig.validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('names the app', () => {
    expect(config.productName).toBe('Kestrel');
    expect(config.appId).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
  });

  it('builds AppImage and deb on Linux, nsis on Windows, dmg on macOS', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
  });

  it("packs electron-vite's output and package.json, whose main is in it", () => {
    expect(config.files).toEqual(expect.arrayContaining(['out/**', 'package.json']));
    expect(pkg.main.startsWith('out/')).toBe(true);
  });

  it('unpacks better-sqlite3 from the asar: native code cannot load from inside it', () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toContain('node_modules/better-sqlite3/**');
  });

  it('ships resources/ where the packaged engine looks for it, with the dataset and the models', () => {
    const main = fs.readFileSync(path.join(root, 'src/main/electron/main.ts'), 'utf8');
    expect(main).toContain("path.join(process.resourcesPath, 'resources')");
    const res = config.extraResources.find((r) => r.from === 'resources');
    expect(res).toBeDefined();
    expect(res?.to).toBe('resources');
    expect(res?.filter).toEqual(expect.arrayContaining(['datasets/**', 'models/**']));
    expect(fs.existsSync(path.join(root, 'resources/datasets/sp500-daily.csv'))).toBe(true);
    expect(
      fs.readdirSync(path.join(root, 'resources/models')).filter((f) => f.endsWith('.json')).length,
    ).toBeGreaterThan(0);
  });

  it('has its icons in build/: a 1024 master for macOS and Windows, and the Linux size set', () => {
    expect(config.directories.buildResources).toBe('build');
    for (const os of [config.win, config.mac]) {
      const size = pngSize(path.join(root, os.icon));
      expect(size.width).toBeGreaterThanOrEqual(512);
      expect(size.height).toBe(size.width);
    }
    const linuxDir = path.join(root, config.linux.icon);
    for (const n of [16, 32, 48, 64, 128, 256, 512]) {
      expect(pngSize(path.join(linuxDir, `${n}x${n}.png`)), `${n}x${n}.png`).toEqual({ width: n, height: n });
    }
  });

  it('flips the fuses that turn the packaged app into a general-purpose Node runtime', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('rebuilds native modules for Electron at dist time, and never when installing', () => {
    expect(config.npmRebuild).toBe(true);
    // `npm ci` runs these; the Electron binary and headers may not be downloadable there.
    const rebuild = /electron-rebuild|@electron\/rebuild|install-app-deps|electron-builder/;
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare', 'prepublish', 'preprepare', 'postprepare']) {
      expect(pkg.scripts[hook] ?? '', hook).not.toMatch(rebuild);
    }
  });

  it('`npm run dist` builds, then packages the current OS without publishing', () => {
    expect(pkg.scripts.dist).toBe('electron-vite build && electron-builder --publish never');
    expect(config.publish).toBeNull();
  });

  it('writes installers to dist/, which git and the linters ignore', () => {
    expect(config.directories.output).toBe('dist');
    expect(fs.readFileSync(path.join(root, '.gitignore'), 'utf8')).toMatch(/^dist\/$/m);
  });
});
