import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Check modules still in the old shape (one `run` that gathers and judges), exempt from the
// evaluator rule while they move their gathering to src/collectors/ (or, if they act, to
// src/proofs/). Empty since every module was split (docs/ARCHITECTURE.md, "Checks and proofs");
// test/boundaries.test.ts holds every module under src/checks/ to the check shape outside it.
export const NOT_YET_SPLIT = [];

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
  // An evaluator is pure: it judges the snapshot its collector gathered and does no I/O, so
  // the same code judges a live cluster, a bundle and rendered values (issue 16).
  {
    files: ['src/checks/**/*.ts'],
    ignores: ['src/checks/index.ts', ...NOT_YET_SPLIT],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'AwaitExpression',
          message: 'An evaluator is pure (no I/O, no await): gather in src/collectors/, act in src/proofs/.',
        },
        {
          selector: 'MemberExpression[property.name=/^(kube|aws)$/]',
          message: 'An evaluator is pure (no I/O, no await): gather in src/collectors/, act in src/proofs/.',
        },
      ],
    },
  },
  // Collectors gather through the ports; they never judge (no check or proof module), never report.
  {
    files: ['src/collectors/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./(checks|proofs|report)/|^\\.\\./(run|cli|all-namespaces|fleet)\\.js$',
              message: 'A collector gathers: it never imports a check, a proof, a report or the run.',
            },
          ],
        },
      ],
    },
  },
  // A proof acts; like a check module it never imports another module.
  {
    files: ['src/proofs/*.ts'],
    ignores: ['src/proofs/index.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\./|^\\.\\./(checks|proofs)/',
              message:
                'A proof never imports another proof or a check module: move shared logic to src/platform, src/iam or src/helm.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/proofs/*/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // `../x.js` is a sibling module; `../../platform/…` is shared code.
              regex: '^\\.\\./[^.]',
              message:
                'A proof never imports another proof or a check module: move shared logic to src/platform, src/iam or src/helm.',
            },
          ],
        },
      ],
    },
  },
);
