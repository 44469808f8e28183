// The layer rules of ../shared/design.md, enforced: `vscode` only in src/extension/,
// and src/engine/ stays sans-I/O (no sockets, timers or files).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const ioModules = ['net', 'tls', 'http', 'https', 'dgram', 'fs', 'fs/promises', 'timers', 'timers/promises', 'child_process', 'worker_threads', 'zlib'];
const io = ioModules.flatMap((m) => [m, `node:${m}`]);

export default tseslint.config(
  { ignores: ['.scratch/**', 'dist/**', 'out/**', 'node_modules/**', 'reports/**', '.cache/**', 'media/**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: "'vscode' belongs in src/extension/ only." }] }],
    },
  },
  {
    files: ['src/extension/**', 'test/host/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['src/engine/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'vscode', message: "'vscode' belongs in src/extension/ only." },
          ...io.map((name) => ({ name, message: 'src/engine/ is sans-I/O: sockets, timers, files and zlib come in from src/transport/.' })),
        ],
      }],
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'process'],
    },
  },
);
