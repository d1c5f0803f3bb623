import fs from 'node:fs';
import next from 'eslint-config-next';

/**
 * Each table has one owner: only that feature's code writes it (insert/update/delete through the
 * query builder); the others call the owner's store or service. lib/backup (export/import, key
 * rotation) works on every table by design. Import rules are in .dependency-cruiser.cjs.
 */
const TABLE_OWNERS = {
  users: ['users', 'recoveryCodes'],
  tokens: ['apiTokens'],
  auth: ['authFailures'],
  audit: ['auditEvents'],
  settings: ['settings'],
  events: ['events'],
  tasks: ['tasks', 'taskLogs'],
  scheduler: ['instances'],
  servers: ['servers', 'serverShares'],
  proxy: ['upstreams', 'upstreamTargets', 'templates', 'domains', 'deployedFiles', 'accessLists', 'streams'],
  certs: ['certificates'],
  monitoring: ['dnsChecks', 'metricSamples', 'metricRollups', 'pollLeases'],
  alerts: ['alertRules', 'alerts', 'silences', 'notifications'],
};
const ALL_TABLES = Object.values(TABLE_OWNERS).flat();

const writesTo = (tables) => ({
  selector: `CallExpression[callee.property.name=/^(insert|update|delete)$/] > MemberExpression.arguments[object.name='t'][property.name=/^(${tables.join('|')})$/]`,
  message: "This table belongs to another feature: call its owner's store or service (owners: eslint.config.mjs).",
});
// Responses are the edge's business: lib/http shapes every answer, features return values.
const buildsResponse = [
  { selector: "NewExpression[callee.name=/^(Response|NextResponse)$/]", message: 'Build responses in lib/http only; return a value (or throw a typed error) here.' },
  { selector: "MemberExpression[object.name=/^(Response|NextResponse)$/][property.name=/^(json|redirect|error)$/]", message: 'Build responses in lib/http only; return a value (or throw a typed error) here.' },
];

const libFolders = fs.readdirSync(new URL('./lib', import.meta.url), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
const libRules = [
  // Files at the top of lib/ (config, errors, the composition root) own no table.
  { files: ['lib/*.ts'], rules: { 'no-restricted-syntax': ['error', ...buildsResponse, writesTo(ALL_TABLES)] } },
  ...libFolders.map((folder) => {
    const others = ALL_TABLES.filter((t) => !(TABLE_OWNERS[folder] ?? []).includes(t));
    const restrictions = [...(folder === 'http' ? [] : buildsResponse), ...(folder === 'backup' ? [] : [writesTo(others)])];
    return { files: [`lib/${folder}/**/*.ts`], rules: { 'no-restricted-syntax': ['error', ...restrictions] } };
  }),
];

const config = [
  ...next,
  { ignores: ['.next/**', 'node_modules/**', 'drizzle/**', 'data/**', 'test-results/**', 'next-env.d.ts'] },
  {
    rules: {
      // Tests and scripts print on purpose.
      'no-console': 'off',
    },
  },
  ...libRules,
];

export default config;
