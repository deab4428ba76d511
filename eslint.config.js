// House rules, checked by `npm run lint` (part of `npm test`). ESLint with typescript-eslint's
// type-checked rules rather than Biome: the bugs a billing pipeline cannot afford are an
// un-awaited write (a Lambda returns before DynamoDB or SQS got the request, and the record is
// deleted from the queue) and a switch that forgets a new invoice state; catching those needs
// the type checker, which Biome's stable rules do not use. Formatting is Prettier's
// (eslint-config-prettier turns off the stylistic rules that would fight it).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** What lies outside the core: adapters, wire formats and queue messages (read at the edge), handlers, infra, the CLI, AWS. */
const edges = [
  '#adapters/*',
  '#formats/*',
  '#messages/*',
  '#functions/*',
  '#infra/*',
  '#cli/*',
  '@aws-sdk/*',
  'aws-cdk-lib',
  'aws-cdk-lib/*',
];

/** The domain and the use cases know no AWS, no adapter, no wire format and no handler (ports and adapters). */
const layerRules = {
  'shared/domain/**': [...edges, '#use-cases/*', '#ports/*', '@aws-lambda-powertools/*'],
  'shared/use-cases/**': edges,
};

export default tseslint.config(
  // check-facturx-pdf.mjs is vendored unchanged from the e-invoice validation kit (PROVENANCE.md).
  { ignores: ['node_modules/**', 'cdk.out/**', '.billflow/**', 'coverage/**', 'test/support/einvoice/check-facturx-pdf.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'cli/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { disallowTypeAnnotations: false }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // An in-memory fake or a cached adapter implements an async port without awaiting anything.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // vitest's asymmetric matchers (expect.any, expect.objectContaining) are typed `any`, and tests
    // read emulators' JSON responses; production code keeps these rules.
    files: ['test/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // CloudFormation templates are untyped JSON by nature; these tests walk them as such.
    files: ['test/infra/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  ...Object.entries(layerRules).map(([glob, banned]) => ({
    files: [glob],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: banned, message: 'the domain and use cases depend on ports, not on adapters, AWS or infra' },
            {
              group: ['**/adapters/**', '**/infra/**', '**/functions/**'],
              message: 'the domain and use cases depend on ports, not on adapters, handlers or infra',
            },
          ],
        },
      ],
    },
  })),
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  prettier,
);
