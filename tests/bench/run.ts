/**
 * `npm run bench [name…]`: runs the benchmarks in tests/bench and prints their figures. They are
 * measurements, not tests: nothing here passes or fails on time.
 */
const all: Record<string, () => Promise<void>> = {
  foundation: async () => (await import('./foundation')).run(),
  servers: async () => (await import('./servers')).run(),
  proxy: async () => (await import('./proxy')).run(),
  monitoring: async () => (await import('./monitoring')).run(),
  alerts: async () => (await import('./alerts')).run(),
  'tx-lane': async () => (await import('./tx-lane')).run(),
  load: async () => (await import('./load')).run(),
  'scale-out': async () => (await import('./scale-out')).run(),
};

async function main() {
  const pick = process.argv.slice(2);
  const names = pick.length ? pick : Object.keys(all);
  for (const name of names) {
    if (!all[name]) throw new Error(`no benchmark named ${name}; have: ${Object.keys(all).join(', ')}`);
    console.log(`\n=== ${name}`);
    await all[name]();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
