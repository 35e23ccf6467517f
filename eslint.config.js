// ESLint flat config: @eslint/js recommended + typescript-eslint recommended (syntax-only, no type
// information, so `eslint .` stays fast), then eslint-config-prettier to leave formatting to Prettier.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

// The Node.js globals plain JavaScript files use (TypeScript files get theirs from @types/node; the
// typescript-eslint preset turns `no-undef` off for them).
const nodeGlobals = Object.fromEntries(
  [
    'AbortController',
    'AbortSignal',
    'Buffer',
    'URL',
    'URLSearchParams',
    'TextDecoder',
    'TextEncoder',
    'clearImmediate',
    'clearInterval',
    'clearTimeout',
    'console',
    'fetch',
    'process',
    'queueMicrotask',
    'setImmediate',
    'setInterval',
    'setTimeout',
    'structuredClone',
  ].map((name) => [name, 'readonly']),
);
const jestGlobals = Object.fromEntries(
  [
    'afterAll',
    'afterEach',
    'beforeAll',
    'beforeEach',
    'describe',
    'expect',
    'it',
    'jest',
    'test',
  ].map((name) => [name, 'readonly']),
);

export default defineConfig(
  globalIgnores(['dist/', 'node_modules/', 'coverage/', '.data/', 'test-output/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: nodeGlobals,
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'error',
      'prefer-const': 'error',
      'no-var': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // Nest injects through constructor parameter properties: `constructor(private readonly x: X) {}`
      // is not useless, and no-op methods (a silent TypeORM logger) are fine too.
      'no-useless-constructor': 'off',
      '@typescript-eslint/no-useless-constructor': 'off',
      '@typescript-eslint/no-empty-function': 'off',
      // Nest modules are decorated empty classes (`@Module({...}) export class FooModule {}`).
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/consistent-type-imports': 'off',
      '@typescript-eslint/no-explicit-any': 'warn',
    },
  },
  {
    // TypeORM migrations are generated: their shape is TypeORM's, not ours.
    files: ['src/database/migrations/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Command-line tools may write to the console; the service logs through pino.
    files: ['src/seed/cli.ts', 'src/database/cli.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // Tests, benchmarks and tooling outside the service.
    files: ['test/**', 'bench/**', '*.config.{js,mjs,cjs,ts}', '.ci/**'],
    languageOptions: { globals: { ...nodeGlobals, ...jestGlobals } },
    rules: { 'no-console': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
  // Last: turns off every rule that would fight Prettier's formatting.
  prettier,
);
