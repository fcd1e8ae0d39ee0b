/** Injected at build time by electron-vite/vitest from package.json; falls back for plain tsx runs. */
export const KESTREL_VERSION: string = typeof __KESTREL_VERSION__ === 'string' ? __KESTREL_VERSION__ : '0.0.0-dev';

declare const __KESTREL_VERSION__: string | undefined;
