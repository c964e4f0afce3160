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
  // The rooms and which way imports run (docs/ARCHITECTURE.md, "Rooms"); test/boundaries.test.ts
  // lints a fixture breaking each rule.
  // Ports are interfaces and data types: they import nothing of the project but other ports.
  {
    files: ['src/ports/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./',
              message: 'A port imports nothing above it: only other ports (src/ports/).',
            },
          ],
        },
      ],
    },
  },
  // Core (findings, catalogue, reporter, run scope, call log, redaction) imports only ports.
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./(?!ports/)',
              message: 'core/ imports only ports (src/ports/): adapters, helm, iam and checks sit above it.',
            },
          ],
        },
      ],
    },
  },
  // The engine (facts, module contract, dispatcher) names library types but runs no library
  // code, and never reaches up into the checks, the reports or the run.
  {
    files: ['src/engine/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./(helm|platform|iam|db)/',
              allowTypeImports: true,
              message: 'The engine imports only types from helm/, platform/, iam/ and db/.',
            },
            {
              regex: '^\\.\\./(checks|report)/|^\\.\\./(run|cli|all-namespaces)\\.js$',
              message: 'The engine never imports the checks, the reports or the run.',
            },
          ],
        },
      ],
    },
  },
  // A check module reads its typed facts and reports; it never imports another check module.
  // Shared logic lives in src/iam/, src/helm/, src/platform/ (docs/ARCHITECTURE.md).
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
