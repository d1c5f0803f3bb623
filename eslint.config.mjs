import next from 'eslint-config-next';

const config = [
  ...next,
  { ignores: ['.next/**', 'node_modules/**', 'drizzle/**', 'data/**', 'test-results/**', 'next-env.d.ts'] },
  {
    rules: {
      // Tests and scripts print on purpose.
      'no-console': 'off',
    },
  },
];

export default config;
