/**
 * The layers of lib/, enforced in `npm run lint` and CI (README, "Architecture"). Lower layers never
 * import higher ones:
 *   kernel    config, errors, operation, pagination, lifecycle, text, db, crypto, net, ssh, nginx, glances, metrics
 *   platform  access, events, audit, settings, tasks, scheduler
 *   features  users, tokens, auth, provision, servers, monitoring, proxy, certs, alerts, backup, system, bulk
 *   edge      http, openapi, cli, registry.ts and startup.ts (the composition root)
 * Two rules live in eslint.config.mjs because they are about code, not imports: `Response` only in
 * lib/http, and each table written only by the feature that owns it.
 */
const KERNEL = '^lib/((config|errors|operation|pagination|lifecycle|text)\\.ts$|(db|crypto|net|ssh|nginx|glances|metrics)/)';
const PLATFORM = '^lib/(access|events|audit|settings|tasks|scheduler)/';
const FEATURES = '^lib/(users|tokens|auth|provision|servers|monitoring|proxy|certs|alerts|backup|system|bulk)/';
const EDGE = '^lib/((http|openapi|cli)/|(registry|startup)\\.ts$)';

module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'No import cycle among modules (a cycle through a type-only import is erased at build time and allowed).',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-folder-cycle',
      severity: 'error',
      comment: 'No cycle among the folders of lib/ either (a feature and the feature it uses).',
      scope: 'folder',
      from: { path: '^lib/' },
      to: { circular: true },
    },
    { name: 'kernel-stays-low', severity: 'error', from: { path: KERNEL }, to: { path: '^lib/', pathNot: KERNEL } },
    { name: 'platform-below-features', severity: 'error', from: { path: PLATFORM }, to: { path: `${FEATURES}|${EDGE}` } },
    { name: 'features-below-edge', severity: 'error', from: { path: FEATURES }, to: { path: EDGE } },
    {
      name: 'only-the-root-wires',
      severity: 'error',
      comment: 'Features export job and task-handler tables; only lib/registry.ts and lib/startup.ts take them to the scheduler and the runner.',
      from: { path: '^lib/', pathNot: '^lib/((registry|startup)\\.ts|tasks/)' },
      to: { path: '^lib/(scheduler/|tasks/runner\\.ts$|[^/]+/jobs\\.ts$)' },
    },
    { name: 'lib-never-imports-ui', severity: 'error', from: { path: '^lib/' }, to: { path: '^(app|components)/' } },
    { name: 'components-never-import-db', severity: 'error', from: { path: '^components/' }, to: { path: '^lib/db/' } },
    {
      name: 'no-dynamic-import-in-lib',
      severity: 'error',
      comment: 'A dynamic import in lib/ usually hides a cycle (the CLI loads its commands lazily on purpose).',
      from: { path: '^lib/', pathNot: '^lib/cli/' },
      to: { dependencyTypes: ['dynamic-import'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|\\.next)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
