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
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  prettier,
)
