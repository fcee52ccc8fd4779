// ESLint flat config: typescript-eslint's recommended rules plus the layer rules of DESIGN.md §1.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const forbidInCore = ['vscode', 'libp2p', '@libp2p/*', '@chainsafe/*', '@ton/sandbox', '@ton/ton', '@ton/crypto', 'node:*', 'fs', 'path', 'os', 'net', 'crypto'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.vscode-test/**', '.tmp/**', 'out/**', 'contracts/build/**', '**/*.js', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', URL: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'warn',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // The pure core: @ton/core only; node:crypto lives behind src/core/signer.ts alone.
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/signer.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: forbidInCore }] },
  },
  {
    files: ['src/core/signer.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: forbidInCore.filter((p) => p !== 'node:*') }] },
  },
  {
    // Files small enough to read, functions of about a screen (blank lines and comments not counted).
    files: ['src/**/*.ts', 'webview/**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }],
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // Only src/extension may import vscode.
    files: ['src/chain/**/*.ts', 'src/p2p/**/*.ts', 'src/node/**/*.ts', 'src/contract/**/*.ts', 'src/cli/**/*.ts', 'webview/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: ['vscode'] }] },
  },
);
