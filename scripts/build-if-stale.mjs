#!/usr/bin/env node
// Builds the Next.js app only when a source is newer than the last build, so `npm start` restarts
// in seconds instead of minutes. A lock directory keeps two starts from building at once; the
// second waits for the first and then finds the build fresh.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const buildId = path.join(root, '.next', 'BUILD_ID');
const lock = path.join(root, '.next-build.lock');
const sources = ['app', 'lib', 'components', 'drizzle', 'instrumentation.ts', 'proxy.ts', 'next.config.mjs', 'postcss.config.mjs', 'package.json', 'package-lock.json', 'tsconfig.json'];

function newest(p) {
  let stat;
  try {
    stat = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let n = stat.mtimeMs;
  for (const e of fs.readdirSync(p)) n = Math.max(n, newest(path.join(p, e)));
  return n;
}

const fresh = () => fs.existsSync(buildId) && fs.statSync(buildId).mtimeMs >= Math.max(...sources.map((s) => newest(path.join(root, s))));

function acquire() {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      return true;
    } catch {
      // A lock older than 15 minutes belongs to a build that died.
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > 15 * 60_000) fs.rmSync(lock, { recursive: true, force: true });
      } catch {}
      if (Date.now() > deadline) return false;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
}

if (fresh()) process.exit(0);
if (!acquire()) {
  console.error('build-if-stale: another build holds the lock for too long');
  process.exit(1);
}
try {
  if (!fresh()) {
    console.log('Building Gatehouse (sources changed since the last build)…');
    const r = spawnSync(path.join(root, 'node_modules', '.bin', 'next'), ['build'], { cwd: root, stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
} finally {
  fs.rmSync(lock, { recursive: true, force: true });
}
