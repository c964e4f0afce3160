import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'dist-bin/', 'node_modules/', 'fixtures/', '.cache/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
        AbortController: 'readonly',
        fetch: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // A check module reads its typed facts and reports; it never imports another check module.
  // Shared logic lives in src/iam/, src/helm/, src/platform/ (ARCHITECTURE.md, issue 8).
  {
    files: ['src/checks/*.ts'],
    ignores: ['src/checks/index.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['./*', '../checks/*'],
              message:
                'A check module never imports another check module: move shared logic to src/iam, src/helm or src/platform.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/checks/*/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // `../x.js` is a sibling check module; `../../core/…` is shared code.
              regex: '^\\.\\./[^.]',
              message:
                'A check module never imports another check module: move shared logic to src/iam, src/helm or src/platform.',
            },
          ],
        },
      ],
    },
  },
);
