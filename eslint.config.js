// Lint rules that guard the architecture: the core runs under plain Node, so only the Electron
// shell (main/electron/**) and the preload may import `electron` (issue #2, style.md §Examples 2).
import tseslint from 'typescript-eslint';
import globals from 'globals';

const noElectron = {
  'no-restricted-imports': ['error', {
    paths: [{ name: 'electron', message: 'Only main/electron/** and main/preload.ts may import electron: the core must run under plain Node.' }],
  }],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'release/**', 'test/output/**', '**/*.d.ts'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      ...noElectron,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Type-aware: a promise nobody awaits loses its rejection (an unhandled rejection ends a Node
    // process). Deliberate fire-and-forget is written `void promise` (issue #13).
    files: ['main/**/*.ts', 'shared/**/*.ts', 'renderer/**/*.{ts,tsx}', 'scripts/**/*.ts'],
    languageOptions: { parserOptions: { project: ['./tsconfig.json', './tsconfig.web.json'], tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  {
    // The core is the product; the emulators and the demo are built on it, never the other way
    // round (issue #13: they are product code for the demo, not the core).
    files: ['main/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: noElectron['no-restricted-imports'][1].paths,
        patterns: [{ group: ['**/emulators/**', '**/emulators', '**/demo', '**/demo/**'], message: 'main/core must not depend on main/emulators or main/demo.' }],
      }],
    },
  },
  {
    // The shell, the preload and the shell's fake-electron tests are the only places allowed to.
    files: ['main/electron/**/*.ts', 'main/preload.ts', 'test/electron/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
