// @ts-check
import tseslint from 'typescript-eslint'
import prettier from 'eslint-config-prettier'

/** Node builtins workflows must never import: workflow code runs in Temporal's deterministic sandbox. */
const nodeBuiltins = ['fs', 'path', 'os', 'crypto', 'child_process', 'net', 'http', 'https', 'stream', 'worker_threads']

export default tseslint.config(
  { ignores: ['dist/', 'dist-bench/', 'node_modules/', '.chsync/', 'bench/results/'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['.ci/*.mjs', 'bin/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.flatMap((name) => [
            { name, message: 'Workflow code is deterministic: no Node builtins.' },
            { name: `node:${name}`, message: 'Workflow code is deterministic: no Node builtins.' },
          ]),
          patterns: [
            {
              group: ['../src/*', '../src', '../activities/*', '../activities'],
              allowTypeImports: true,
              message: 'Workflows import only types from src/ and activities/ (they run in the workflow sandbox).',
            },
          ],
        },
      ],
    },
  },
  {
    // Arrows point down: the library never imports the code that composes it. The application layer
    // (src/app/) and the package root (src/index.ts, which lists what the app layer exports too) are
    // the only src/ files that may reach activities/ and workflows/.
    files: ['src/**/*.ts'],
    ignores: ['src/app/**', 'src/index.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/activities', '**/activities/**', '**/workflows', '**/workflows/**', '**/app', '**/app/**'],
              message:
                'Library code under src/ must not import activities/, workflows/ or the application layer (src/app/): ' +
                'move the shared piece down into src/, or compose it in src/app/.',
            },
          ],
        },
      ],
    },
  },
  {
    // Activities call into the library; only the application layer wires them to workflows and Temporal.
    files: ['activities/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../src/app', '../src/app/**'],
              message: 'Activities import library layers of src/, never the application layer (src/app/).',
            },
            {
              group: ['../workflows', '../workflows/**'],
              allowTypeImports: true,
              message: 'Activities import only types from workflows/ (workflow code runs in the sandbox).',
            },
          ],
        },
      ],
    },
  },
  {
    // Libraries' public entry points only: a file inside a package's build folder can move in any release.
    files: ['**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(@[^/]+/)?[^./][^/]*/(dist|lib|build)/',
              message: "Import the package's public entry point, not a file of its build output.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  prettier,
)
