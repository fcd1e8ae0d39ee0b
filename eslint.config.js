// Layer boundaries are enforced here, not by goodwill: see docs/architecture.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const noElectron = {
  name: 'electron',
  message: "Only src/main/electron and src/preload may import 'electron'; the engine runs in plain Node.",
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'resources/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': ['error', { paths: [noElectron] }],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Domain code takes a Clock; see src/main/clock.ts.' },
      ],
    },
  },
  {
    // Wall-clock reads are allowed only at the edges: the clock itself, storage metadata, the shells, tools and tests.
    files: [
      'src/main/clock.ts',
      'src/main/storage/db.ts',
      'src/main/electron/**',
      'src/main/cli.ts',
      'src/renderer/**',
      'test/**',
      'bench/**',
      'scripts/**',
      'bin/**',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['src/main/electron/**', 'src/preload/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['src/shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            noElectron,
            ...nodeBuiltins.map((name) => ({ name, message: 'src/shared crosses processes: no Node built-ins.' })),
          ],
          patterns: ['**/main/**', '**/renderer/**', '**/preload/**'],
        },
      ],
    },
  },
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            noElectron,
            ...nodeBuiltins.map((name) => ({ name, message: 'The renderer runs in a browser: no Node built-ins.' })),
          ],
          patterns: ['**/main/**', '**/preload/**'],
        },
      ],
    },
  },
);
