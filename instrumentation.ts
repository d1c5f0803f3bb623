// Thin on purpose: the Node-only start-up lives in lib/startup.ts and is imported only on the
// Node runtime, so the edge bundle never sees better-sqlite3 or ssh2.
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { startGatehouse } = await import('./lib/startup');
    await startGatehouse();
  }
}
