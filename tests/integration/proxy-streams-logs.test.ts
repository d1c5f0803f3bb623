/**
 * TCP/UDP streams and per-domain logs against a real sshd + nginx (with Debian's stream module):
 * real TCP and UDP traffic through Nginx to echo servers, `port_in_use`, a rollback on a server
 * whose Nginx lacks the module, access and error log lines read over SSH (last lines and the SSE
 * follow), RBAC (unshared: 404), and the remote tail gone once the follow closes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { api } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { requireBinary } from '../support/process';
import { freePort, freeTcpUdpPort } from '../support/ports';
import { readSse } from '../support/sse';
import { startHttpUpstream, type HttpUpstream } from '../support/upstream';
import { waitFor } from '../support/wait';
import { NGINX_STREAM_MODULE } from '../support/nginx';
import { proxyTaskHandlers } from '@/lib/proxy/tasks';
import { MAX_FOLLOWS_PER_SERVER } from '@/lib/proxy/logs';
import { registerTaskHandlers, waitForTask } from '@/lib/tasks/runner';
import { startDeployTarget, taskLog, type DeployTarget } from './proxy-harness';

const hasStreamModule = fs.existsSync(NGINX_STREAM_MODULE);

function tcpEcho(): Promise<{ port: number; stop: () => Promise<void> }> {
  const server = net.createServer((sock) => sock.on('data', (d) => sock.write(Buffer.concat([Buffer.from('echo:'), d]))).on('error', () => {}));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as net.AddressInfo).port, stop: () => new Promise((r) => server.close(() => r())) })));
}

function udpEcho(): Promise<{ port: number; stop: () => Promise<void> }> {
  const sock = dgram.createSocket('udp4');
  sock.on('message', (msg, rinfo) => sock.send(Buffer.concat([Buffer.from('udp-echo:'), msg]), rinfo.port, rinfo.address));
  return new Promise((resolve) => sock.bind(0, '127.0.0.1', () => resolve({ port: sock.address().port, stop: () => new Promise((r) => sock.close(() => r())) })));
}

async function tcpRoundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let got = '';
    sock.on('data', (d) => {
      got += d.toString();
      if (got.length >= text.length + 5) {
        sock.end();
        resolve(got);
      }
    });
    sock.on('error', reject);
    sock.on('connect', () => sock.write(text));
  });
}

/** One datagram out, the first datagram back (resent until one comes: UDP may drop). */
async function udpRoundTrip(port: number, text: string): Promise<string> {
  const sock = dgram.createSocket('udp4');
  try {
    const answer = new Promise<string>((resolve) => sock.once('message', (m) => resolve(m.toString())));
    const send = () => sock.send(text, port, '127.0.0.1');
    send();
    const again = setInterval(send, 500);
    try {
      return await answer;
    } finally {
      clearInterval(again);
    }
  } finally {
    sock.close();
  }
}

const tailsOf = (path: string) => {
  try {
    return execFileSync('pgrep', ['-f', `tail -n 0 -F -- ${path}`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

describe.skipIf(!requireBinary('nginx', 'sshd', 'ssh-keygen', 'pgrep') || !hasStreamModule)('streams and domain logs', () => {
  describe.each(dialects)('on %s', (dialect) => {
    let tdb: TestDb;
    let s: Awaited<ReturnType<typeof seedUsers>>;
    let target: DeployTarget;
    let tcp: Awaited<ReturnType<typeof tcpEcho>>;
    let udp: Awaited<ReturnType<typeof udpEcho>>;
    let web: HttpUpstream;

    const upstream = async (name: string, port: number) => {
      const r = await api('POST', '/api/v1/upstreams', { token: s.adminToken, body: { name, targets: [{ host: '127.0.0.1', port }] } });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.id as string;
    };
    const deployStream = async (id: string) => {
      const r = await api('POST', `/api/v1/streams/${id}/deploy`, { token: s.adminToken });
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      return waitForTask(r.body.taskId);
    };

    beforeAll(async () => {
      process.env.GATEHOUSE_TASK_RUNNER = 'off';
      tdb = await openTestDb(dialect);
      s = await seedUsers();
      registerTaskHandlers(proxyTaskHandlers);
      target = await startDeployTarget(s.adminToken, `streams-${dialect}`, { streams: true });
      [tcp, udp, web] = await Promise.all([tcpEcho(), udpEcho(), startHttpUpstream({ name: 'web' })]);
    });
    afterAll(async () => {
      await Promise.all([tcp?.stop(), udp?.stop(), web?.stop()]);
      await target?.stop();
      await tdb?.close();
    });

    it('forwards real TCP and UDP traffic through Nginx stream {}, and refuses a port in use', async () => {
      const tcpPool = await upstream(`tcp-echo-${dialect}`, tcp.port);
      const udpPool = await upstream(`udp-echo-${dialect}`, udp.port);
      const port = await freeTcpUdpPort();
      const a = await api('POST', '/api/v1/streams', { token: s.adminToken, body: { serverId: target.serverId, protocol: 'tcp', listenPort: port, upstreamId: tcpPool } });
      expect(a.status, JSON.stringify(a.body)).toBe(201);
      expect(a.body).toMatchObject({ serverId: target.serverId, protocol: 'tcp', listenPort: port, upstreamId: tcpPool, status: 'pending' });
      // The same port over UDP is another socket: allowed.
      const b = await api('POST', '/api/v1/streams', { token: s.adminToken, body: { serverId: target.serverId, protocol: 'udp', listenPort: port, upstreamId: udpPool } });
      expect(b.status, JSON.stringify(b.body)).toBe(201);

      const again = await api('POST', '/api/v1/streams', { token: s.adminToken, body: { serverId: target.serverId, protocol: 'tcp', listenPort: port, upstreamId: udpPool } });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('port_in_use');
      const onHttp = await api('POST', '/api/v1/streams', { token: s.adminToken, body: { serverId: target.serverId, protocol: 'tcp', listenPort: target.httpPort, upstreamId: tcpPool } });
      expect(onHttp.status).toBe(409);
      expect(onHttp.body.error.code).toBe('port_in_use');
      const moved = await api('PATCH', `/api/v1/streams/${b.body.id}`, { token: s.adminToken, body: { protocol: 'tcp' } });
      expect(moved.status).toBe(409);
      const bad = await api('POST', '/api/v1/streams', { token: s.adminToken, body: { serverId: target.serverId, protocol: 'sctp', listenPort: 0, upstreamId: tcpPool } });
      expect(bad.status).toBe(422);
      expect(Object.keys(bad.body.error.fields).sort()).toEqual(['listenPort', 'protocol']);

      const task = await deployStream(a.body.id);
      expect(task.status, `${task.error}\n${await taskLog(s.adminToken, task.id)}`).toBe('succeeded');
      // Included once, at the top level of nginx.conf (after the load_module line), not in http {}.
      const main = fs.readFileSync(target.nginx.confFile, 'utf8');
      expect(main.split(`include ${target.managedDir}/streams.conf;`).length).toBe(2);
      expect(main.lastIndexOf('include')).toBe(main.indexOf(`include ${target.managedDir}/streams.conf;`));
      expect(target.file('streams.conf')).toContain(`listen ${port} udp;`);

      expect(await tcpRoundTrip(port, 'hello over tcp')).toBe('echo:hello over tcp');
      expect(await udpRoundTrip(port, 'hello over udp')).toBe('udp-echo:hello over udp');
      for (const id of [a.body.id, b.body.id]) expect((await api('GET', `/api/v1/streams/${id}`, { token: s.adminToken })).body.status).toBe('deployed');

      // A second deploy with nothing changed uploads nothing; nginx.conf keeps one include.
      const second = await deployStream(b.body.id);
      expect(second.status).toBe('succeeded');
      expect(second.result).toMatchObject({ uploaded: false, streams: 2 });
      expect(fs.readFileSync(target.nginx.confFile, 'utf8')).toBe(main);

      // RBAC: a user sees nothing of an unshared server's streams, and never writes.
      expect((await api('GET', '/api/v1/streams', { token: s.userToken })).body.items).toEqual([]);
      expect((await api('GET', `/api/v1/streams/${a.body.id}`, { token: s.userToken })).status).toBe(404);
      expect((await api('POST', `/api/v1/streams/${a.body.id}/deploy`, { token: s.userToken })).status).toBe(403);
      expect((await api('POST', '/api/v1/streams', { token: s.userToken, body: { serverId: target.serverId, protocol: 'tcp', listenPort: 5999, upstreamId: tcpPool } })).status).toBe(403);

      // Delete one; the server deploy takes its block away.
      expect((await api('DELETE', `/api/v1/streams/${b.body.id}`, { token: s.adminToken })).status).toBe(204);
      const srv = await target.deploy();
      expect(srv.status, `${srv.error}\n${await taskLog(s.adminToken, srv.id)}`).toBe('succeeded');
      expect(target.file('streams.conf')).not.toContain('udp;');
      expect(await tcpRoundTrip(port, 'still here')).toBe('echo:still here');
      // A pool used by a stream cannot be deleted.
      expect((await api('DELETE', `/api/v1/upstreams/${tcpPool}`, { token: s.adminToken })).body.error.code).toBe('upstream_in_use');
    });

    it('documents the routes in openapi.json (the follow as an event stream)', async () => {
      const doc = (await api('GET', '/api/v1/openapi.json')).body;
      for (const p of ['/streams', '/streams/{id}', '/streams/{id}/deploy', '/domains/{id}/logs', '/domains/{id}/logs/stream']) expect(doc.paths[p], p).toBeDefined();
      expect(Object.keys(doc.paths['/domains/{id}/logs/stream'].get.responses['200'].content)).toEqual(['text/event-stream']);
      expect(doc.paths['/streams'].post.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
    });

    it('rolls back when the server\'s Nginx has no stream module', async () => {
      const plain = await startDeployTarget(s.adminToken, `no-stream-${dialect}`);
      try {
        const pool = await upstream(`tcp-plain-${dialect}`, tcp.port);
        const r = await api('POST', '/api/v1/streams', { token: s.adminToken, body: { serverId: plain.serverId, protocol: 'tcp', listenPort: await freePort(), upstreamId: pool } });
        expect(r.status).toBe(201);
        const task = await deployStream(r.body.id);
        expect(task.status).toBe('failed');
        expect(task.error).toMatch(/stream module/);
        expect(plain.file('streams.conf')).not.toContain('stream {');
        expect((await plain.nginx.test()).ok).toBe(true);
        const after = await api('GET', `/api/v1/streams/${r.body.id}`, { token: s.adminToken });
        expect(after.body.status).toBe('failed');
        expect(after.body.lastError).toMatch(/unknown directive "stream"/);
        expect((await api('DELETE', `/api/v1/streams/${r.body.id}`, { token: s.adminToken })).status).toBe(204);
      } finally {
        await plain.stop();
      }
    });

    it('reads the domain\'s access and error log over SSH, follows it live, and stops the remote tail', async () => {
      const pool = await upstream(`web-${dialect}`, web.port);
      const dead = await upstream(`dead-${dialect}`, await freePort());
      const fqdn = `logs-${dialect}.example.test`;
      const d = await api('POST', '/api/v1/domains', { token: s.adminToken, body: { fqdn, serverId: target.serverId, upstreamId: pool } });
      expect(d.status, JSON.stringify(d.body)).toBe(201);
      expect(d.body.logs).toEqual({ access: true, error: true });
      const broken = await api('POST', '/api/v1/domains', { token: s.adminToken, body: { fqdn: `broken-${dialect}.example.test`, serverId: target.serverId, upstreamId: dead, logs: { access: false } } });
      expect(broken.status, JSON.stringify(broken.body)).toBe(201);
      const task = await target.deploy();
      expect(task.status, `${task.error}\n${await taskLog(s.adminToken, task.id)}`).toBe('succeeded');
      const accessPath = `${target.nginx.prefix}/logs/gatehouse-${fqdn}.access.log`;
      expect(target.file(`domains/${fqdn}.conf`)).toContain(`access_log ${accessPath};`);
      expect(target.file(`domains/broken-${dialect}.example.test.conf`)).not.toContain('access_log');

      expect((await target.request(fqdn, { path: '/first-marker' })).status).toBe(200);
      const last = await api('GET', `/api/v1/domains/${d.body.id}/logs?kind=access&lines=50`, { token: s.adminToken });
      expect(last.status, JSON.stringify(last.body)).toBe(200);
      expect(last.body.path).toBe(accessPath);
      expect(last.body.lines.some((l: { text: string }) => l.text.includes('GET /first-marker'))).toBe(true);

      // The error log kind: Nginx cannot reach the dead pool.
      expect((await target.request(`broken-${dialect}.example.test`)).status).toBe(502);
      const errors = await api('GET', `/api/v1/domains/${broken.body.id}/logs?kind=error`, { token: s.adminToken });
      expect(errors.status).toBe(200);
      expect(errors.body.lines.some((l: { text: string }) => /connect\(\) failed/.test(l.text))).toBe(true);
      expect((await api('GET', `/api/v1/domains/${broken.body.id}/logs?kind=access`, { token: s.adminToken })).body.error.code).toBe('log_disabled');
      expect((await api('GET', `/api/v1/domains/${d.body.id}/logs?kind=secret`, { token: s.adminToken })).status).toBe(422);

      // A user without a share of the server: 404, for the lines and for the follow.
      const { GET } = await import('@/app/api/v1/domains/[id]/logs/stream/route');
      const controller = new AbortController();
      const open = (token: string) =>
        GET(new Request(`http://localhost/api/v1/domains/${d.body.id}/logs/stream?kind=access`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal }), {
          params: Promise.resolve({ id: d.body.id }),
        });
      expect((await api('GET', `/api/v1/domains/${d.body.id}/logs`, { token: s.userToken })).status).toBe(404);
      expect((await open(s.userToken)).status).toBe(404);

      // The live follow: new lines arrive as `event: log`.
      const res = await open(s.adminToken);
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      await waitFor(() => tailsOf(accessPath).length > 0 || undefined);
      let sent = 0;
      const frames = await readSse(
        res,
        (f) => {
          if (f.some((x) => x.event === 'log' && x.data.text.includes('/live-marker'))) return true;
          if (f.some((x) => x.comment === 'connected') && sent === 0) {
            sent++;
            void target.request(fqdn, { path: '/live-marker' });
          }
          return false;
        },
        20_000,
      );
      expect(frames.find((x) => x.event === 'log')!.data.text).toContain('GET /live-marker');
      controller.abort();
      // The remote tail ends with the stream.
      await waitFor(() => tailsOf(accessPath).length === 0 || undefined, { timeoutMs: 20_000 });

      // Follows are capped per server (each holds an SSH channel); closing one frees its place.
      const many = new AbortController();
      const openMany = () =>
        GET(new Request(`http://localhost/api/v1/domains/${d.body.id}/logs/stream?kind=access`, { headers: { authorization: `Bearer ${s.adminToken}` }, signal: many.signal }), {
          params: Promise.resolve({ id: d.body.id }),
        });
      const held = [];
      for (let i = 0; i < MAX_FOLLOWS_PER_SERVER; i++) held.push(await openMany());
      expect(held.every((r) => r.status === 200)).toBe(true);
      const refused = await openMany();
      expect(refused.status).toBe(429);
      expect((await refused.json()).error.code).toBe('too_many_log_streams');
      await waitFor(() => tailsOf(accessPath).length === MAX_FOLLOWS_PER_SERVER || undefined, { timeoutMs: 20_000 });
      many.abort();
      for (const r of held) await r.body?.cancel().catch(() => {});
      await waitFor(() => tailsOf(accessPath).length === 0 || undefined, { timeoutMs: 20_000 });

      // Shared: the user reads the lines too.
      expect((await api('PATCH', `/api/v1/servers/${target.serverId}`, { token: s.adminToken, body: { sharedWith: [s.user.id] } })).status).toBe(200);
      const shared = await api('GET', `/api/v1/domains/${d.body.id}/logs?lines=5`, { token: s.userToken });
      expect(shared.status).toBe(200);
      expect(shared.body.lines.length).toBeGreaterThan(0);
      expect((await api('GET', '/api/v1/streams', { token: s.userToken })).body.items.length).toBeGreaterThan(0);
    });
  });
});
