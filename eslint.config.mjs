// Type-aware lint over every TypeScript project (tsconfig.json's references) plus the plain .mjs tools.
// Formatting is Prettier's job (`npm run format`); eslint-config-prettier is not needed because no
// stylistic rule is enabled here.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'build/', 'dist/', '.cache/', 'data/', 'checkpoints/', 'models/'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            // node:test's describe/it return promises the runner itself awaits.
            {
              from: 'package',
              package: 'node:test',
              name: ['describe', 'it', 'test', 'before', 'after', 'beforeEach', 'afterEach'],
            },
            // semantic-dom-diff types chai's `equal` as a promise (for its DOM snapshots); plain equal is synchronous.
            { from: 'package', package: '@open-wc/semantic-dom-diff', name: ['Equal'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      // Lit binds template listeners (@click=${this.onClick}) to the host, and the worker handler maps are
      // plain objects whose methods never use `this`: the rule only reports those.
      '@typescript-eslint/unbound-method': 'off',
      // `async` on a method that implements a promise-returning interface without awaiting is deliberate:
      // a synchronous throw then becomes a rejection, as callers expect.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
);
