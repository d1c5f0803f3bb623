/**
 * Issue 4 benchmark: render 10,000 domains; deploy one changed domain on a server that holds
 * 1,000 (real sshd + nginx on loopback), printing times, bytes uploaded, and the deploy time as a
 * ratio to one `nginx -t` plus one reload of the same Nginx measured in the same run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliActor } from '@/lib/access/actor';
import { getDb, newId } from '@/lib/db';
import { createServer } from '@/lib/servers/service';
import { renderServerConfig } from '@/lib/proxy/render';
import { runDeploy, type DeployReport } from '@/lib/proxy/deploy-run';
import { renderServerSet } from '@/lib/proxy/config-set';
import { loadServerRenderState } from '@/lib/proxy/load';
import type { Domain, RenderInput } from '@/lib/proxy/types';
import { openTestDb } from '../support/test-db';
import { startNginx } from '../support/nginx';
import { startSshd } from '../support/sshd';
import { startHttpUpstream } from '../support/upstream';
import { freePort } from '../support/ports';
import { median, ms } from './stats';

const target = (port: number) => ({ host: '127.0.0.1', port, weight: 1, backup: false, maxFails: 1, failTimeoutSeconds: 10 });

function fleet(n: number): RenderInput {
  const domains: Domain[] = Array.from({ length: n }, (_, i) => ({
    id: `d${i}`, fqdn: `site${i}.example.com`, aliases: [`www.site${i}.example.com`], serverId: 's1', upstreamId: `u${i % 100}`, templateId: null,
    ssl: { mode: 'none', certificateId: null, forceHttps: false, hsts: false, http2: true }, websocket: i % 2 === 0, clientMaxBodySize: '10m',
    customDirectives: i % 10 === 0 ? 'proxy_read_timeout 120s;\ngzip on;' : '',
  }));
  const upstreams = Array.from({ length: 100 }, (_, i) => ({ id: `u${i}`, name: `app${i}`, method: 'round_robin' as const, targets: [target(9000 + i), target(10000 + i)] }));
  return { server: { id: 's1', managedDir: '/etc/nginx/gatehouse', nginxVersion: '1.22.1' }, upstreams, domains, templates: [], certificates: [] };
}

function benchRender() {
  const input = fleet(10_000);
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const { files } = renderServerConfig(input);
    times.push(performance.now() - t0);
    bytes = files.reduce((n, f) => n + f.content.length, 0);
  }
  console.log(`render 10,000 domains (+ upstreams.conf, 100 pools): median ${ms(median(times))} of ${times.map((t) => t.toFixed(0)).join(', ')} ms; ${(bytes / 1024 / 1024).toFixed(1)} MB of config`);
}

const quietCtx = { log: async () => {}, progress: async () => {}, addSecret: () => {} };

async function benchDeploy() {
  const tdb = await openTestDb('sqlite');
  const managedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-bench-managed-'));
  fs.chmodSync(managedDir, 0o755);
  fs.mkdirSync(path.join(managedDir, 'domains'));
  fs.writeFileSync(path.join(managedDir, 'upstreams.conf'), '# Managed by Gatehouse.\n');
  fs.writeFileSync(path.join(managedDir, 'http.conf'), `include ${managedDir}/upstreams.conf;\ninclude ${managedDir}/domains/*.conf;\n`);
  const sshd = await startSshd({ users: [{ name: 'root' }] });
  const nginx = await startNginx({ files: { 'gatehouse.conf': `include ${managedDir}/http.conf;\n` } });
  const app = await startHttpUpstream({ name: 'bench' });
  try {
    const server = await createServer(cliActor, {
      name: 'bench', host: '127.0.0.1', sshPort: sshd.port, authMethod: 'key', privateKey: sshd.user('root').privateKey, monitoringEnabled: false,
      nginxLayout: { managedDir, mainConfig: nginx.confFile, command: nginx.wrapper, pidFile: nginx.pidFile, httpPort: await freePort(), httpsPort: await freePort() },
    });
    // 1,000 domains straight into the tables (the API path is measured by the tests, not here).
    const { db, t } = getDb();
    const now = new Date();
    const upstreamId = newId();
    await db.insert(t.upstreams).values({ id: upstreamId, name: 'bench', method: 'round_robin', createdAt: now, updatedAt: now });
    await db.insert(t.upstreamTargets).values([0, 1].map((position) => ({ id: newId(), upstreamId, position, host: '127.0.0.1', port: app.port })));
    const ids: string[] = [];
    for (let i = 0; i < 1000; i += 100) {
      const rows = Array.from({ length: 100 }, (_, j) => {
        const id = newId();
        ids.push(id);
        return { id, fqdn: `site${i + j}.bench.test`, aliases: [`www.site${i + j}.bench.test`], serverId: server.id, upstreamId, expectedNameservers: [], createdAt: now, updatedAt: now };
      });
      await db.insert(t.domains).values(rows);
    }
    let t0 = performance.now();
    const lines: string[] = [];
    const first = await runDeploy(server.id, { scope: 'server' }, { ...quietCtx, log: async (text: string) => void lines.push(text) });
    console.log(
      `first deploy of 1,000 domains: ${ms(performance.now() - t0)}, ${first.uploaded.length} files, ${(first.uploadedBytes / 1024).toFixed(0)} KiB uploaded; ` +
        `stages ${JSON.stringify(first.timings)}; ${lines.find((l) => l.startsWith('Staged')) ?? ''}`,
    );

    t0 = performance.now();
    renderServerSet(await loadServerRenderState(server.id));
    console.log(`load + render the 1,000-domain server: ${ms(performance.now() - t0)}`);

    // Each deploy is paired with a floor measured right before it: this machine is shared and
    // noisy, so the paired ratio is steadier than a ratio of two medians.
    const floors: number[] = [];
    const runs = { server: [] as { ms: number; ratio: number; r: DeployReport }[], domain: [] as { ms: number; ratio: number; r: DeployReport }[] };
    const { eq } = await import('drizzle-orm');
    for (let round = 0; round < 7; round++) {
      for (const scope of ['server', 'domain'] as const) {
        let f0 = performance.now();
        await nginx.reload(); // nginx -t, nginx -s reload, wait for the new workers: the floor
        const floor = performance.now() - f0;
        floors.push(floor);
        const id = ids[(round * 2 + (scope === 'domain' ? 1 : 0)) % ids.length];
        await db.update(t.domains).set({ clientMaxBodySize: `${round + 2}m`, status: 'pending', updatedAt: new Date() }).where(eq(t.domains.id, id));
        f0 = performance.now();
        const r = await runDeploy(server.id, scope === 'server' ? { scope } : { scope, domainId: id }, quietCtx);
        const took = performance.now() - f0;
        runs[scope].push({ ms: took, ratio: took / floor, r });
      }
    }
    console.log(`floor, one nginx -t + one reload (1,000 sites, waiting for the new workers): median ${ms(median(floors))} of ${floors.map((x) => x.toFixed(0)).join(', ')} ms`);
    for (const [name, list] of [['server deploy, one domain changed', runs.server], ['domain deploy (POST /domains/{id}/deploy)', runs.domain]] as const) {
      const m = median(list.map((x) => x.ms));
      const mid = list.find((x) => x.ms === m)!.r;
      console.log(
        `${name}: median ${ms(m)} of ${list.map((x) => x.ms.toFixed(0)).join(', ')} ms; uploaded ${mid.uploaded.length} file${mid.uploaded.length === 1 ? '' : 's'}, ${mid.uploadedBytes} bytes; ` +
          `ratio to the floor measured just before it: median ${median(list.map((x) => x.ratio)).toFixed(2)}x (target < 1.5x), ` +
          `ratio of medians ${(m / median(floors)).toFixed(2)}x; stages of the median run ${JSON.stringify(mid.timings)}`,
      );
    }
  } finally {
    await app.stop();
    await nginx.stop();
    await sshd.stop();
    await tdb.close();
    fs.rmSync(managedDir, { recursive: true, force: true });
  }
}

export async function run() {
  benchRender();
  await benchDeploy();
}
