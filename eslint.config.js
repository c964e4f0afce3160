import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// An evaluator is a pure function of its snapshot (issue 16; docs/ARCHITECTURE.md, "Checks and
// proofs"): besides I/O it reads no clock, no randomness, no process state, so a replayed bundle or a
// table test judges exactly as the live run did. test/boundaries.test.ts lints a fixture breaking each.
const EVALUATOR_IO =
  'An evaluator is pure (no I/O, no await): gather in src/collectors/, act in src/proofs/.';
const EVALUATOR_CLOCK =
  'An evaluator reads no clock and no randomness: its collector records the time in the snapshot (e.g. `now` in src/collectors/webhook.ts).';
const EVALUATOR_PROCESS =
  'An evaluator reads no process state or environment: its collector (src/collectors/) or the run scope supplies what it judges.';
const EVALUATOR_CONSOLE = 'An evaluator reports through `out` (the Reporter), never the console.';
/** Merged into both no-restricted-imports blocks of src/checks/ (a later block's options would replace them). */
const EVALUATOR_IMPORTS = {
  paths: [
    {
      name: 'node:crypto',
      importNames: ['randomUUID', 'randomBytes', 'randomInt', 'getRandomValues', 'webcrypto'],
      message: EVALUATOR_CLOCK,
    },
    { name: 'node:process', message: EVALUATOR_PROCESS },
    { name: 'process', message: EVALUATOR_PROCESS },
    { name: 'node:perf_hooks', message: EVALUATOR_CLOCK },
    { name: 'perf_hooks', message: EVALUATOR_CLOCK },
  ],
  patterns: [
    {
      regex: '^(node:)?(fs|net|dns|http|https|http2|tls|dgram|child_process|timers|worker_threads)(/.*)?$',
      message: EVALUATOR_IO,
    },
  ],
};

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
          paths: EVALUATOR_IMPORTS.paths,
          patterns: [
            ...EVALUATOR_IMPORTS.patterns,
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
          paths: EVALUATOR_IMPORTS.paths,
          patterns: [
            ...EVALUATOR_IMPORTS.patterns,
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
  // An evaluator is pure: it judges the snapshot its collector gathered and does no I/O, reads no
  // clock, no randomness and no environment, so the same code judges a live cluster, a bundle and
  // rendered values (issue 16). Its imports are restricted in the two blocks above (EVALUATOR_IMPORTS).
  {
    files: ['src/checks/**/*.ts'],
    ignores: ['src/checks/index.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'AwaitExpression', message: EVALUATOR_IO },
        { selector: 'MemberExpression[property.name=/^(kube|aws)$/]', message: EVALUATOR_IO },
        // import() is I/O (and a promise); a module an evaluator needs is imported statically.
        { selector: 'ImportExpression', message: EVALUATOR_IO },
        // `new Date()` and `Date()` read the clock; `new Date(x)` converts a value of the snapshot.
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: EVALUATOR_CLOCK },
        { selector: "CallExpression[callee.name='Date']", message: EVALUATOR_CLOCK },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: EVALUATOR_CLOCK },
        { object: 'Math', property: 'random', message: EVALUATOR_CLOCK },
        { object: 'performance', property: 'now', message: EVALUATOR_CLOCK },
        { object: 'process', message: EVALUATOR_PROCESS },
        // crypto's randomness, through whatever name the module was imported as
        { property: 'randomUUID', message: EVALUATOR_CLOCK },
        { property: 'getRandomValues', message: EVALUATOR_CLOCK },
        { property: 'randomBytes', message: EVALUATOR_CLOCK },
        { property: 'randomInt', message: EVALUATOR_CLOCK },
      ],
      'no-restricted-globals': [
        'error',
        ...['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'fetch'].map((name) => ({
          name,
          message: EVALUATOR_IO,
        })),
        { name: 'performance', message: EVALUATOR_CLOCK },
        { name: 'process', message: EVALUATOR_PROCESS },
        // globalThis.process, globalThis.fetch, … would pass every rule above
        { name: 'globalThis', message: EVALUATOR_PROCESS },
        { name: 'console', message: EVALUATOR_CONSOLE },
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
  // The AWS SDK loads lazily, in the live adapter only (src/platform/live-aws*.ts): a module names
  // the SDK's types (an AWS query's raw answer) but never imports its code, which would load it
  // in every run, replays and --help included.
  {
    files: ['src/collectors/**/*.ts', 'src/checks/**/*.ts', 'src/proofs/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^@aws-sdk/',
              allowTypeImports: true,
              message:
                'A module names AWS SDK types only (import type): the live adapter loads the SDK lazily (src/platform/live-aws-query.ts).',
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
