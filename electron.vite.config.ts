import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

export default defineConfig({
  main: {
    define: { __KESTREL_VERSION__: JSON.stringify(version) },
    build: {
      outDir: 'out/main',
      rollupOptions: {
        // index: the Electron shell; cli: the plain-Node `kestrel` command (headless, doctor, …).
        // backtestWorker: the worker_thread entry runInWorker loads from beside the bundle.
        input: {
          index: resolve('src/main/electron/main.ts'),
          cli: resolve('src/main/cli.ts'),
          backtestWorker: resolve('src/main/backtest/backtestWorker.ts'),
        },
        // Loaded at run time for PDF reports only; bundled, it cannot find its own package.json.
        external: ['playwright-core'],
      },
    },
  },
  preload: {
    build: {
      // Bundle everything: a sandboxed preload cannot require anything but 'electron'.
      externalizeDeps: false,
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        // A sandboxed preload must be one CommonJS file with no requires but 'electron'.
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    build: { outDir: 'out/renderer', rollupOptions: { input: { index: resolve('src/renderer/index.html') } } },
    plugins: [react()],
  },
});
