import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { startNginx, type NginxInstance } from '../support/nginx';
import { startSshd } from '../support/sshd';
import { connectWebSocket, startHttpUpstream, type HttpUpstream } from '../support/upstream';
import { pidAlive, requireBinary, run } from '../support/process';
import { canConnect, httpRequest, waitFor } from '../support/wait';

function siteConf(port: number, host: string, upstreams: HttpUpstream[]) {
  return `
upstream pool_${host.replace(/\W/g, '_')} {
${upstreams.map((u) => `    server 127.0.0.1:${u.port};`).join('\n')}
}
map $http_upgrade $harness_connection_upgrade { default upgrade; '' close; }
server {
    listen 127.0.0.1:${port};
    server_name ${host};
    client_max_body_size 64m;
    location / {
        proxy_pass http://pool_${host.replace(/\W/g, '_')};
        proxy_http_version 1.1;
        proxy_set_header Host $host;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $harness_connection_upgrade;
        proxy_request_buffering off;
    }
}
`;
}

describe.skipIf(!requireBinary('nginx'))('harness: nginx + upstream', () => {
  let nginx: NginxInstance;
  let a: HttpUpstream;
  let b: HttpUpstream;

  beforeAll(async () => {
    const t0 = Date.now();
    nginx = await startNginx();
    const tNginx = Date.now() - t0;
    a = await startHttpUpstream({ name: 'a' });
    b = await startHttpUpstream({ name: 'b' });
    console.log(`[harness] nginx ready in ${tNginx} ms on port ${nginx.port}; 2 upstreams in ${Date.now() - t0 - tNginx} ms`);
  });

  afterAll(async () => {
    await nginx?.stop();
    await a?.stop();
    await b?.stop();
  });

  it('serves its default server and passes nginx -t', async () => {
    const res = await httpRequest(`http://127.0.0.1:${nginx.port}/__harness/health`);
    expect(res.status).toBe(200);
    const t = await nginx.test();
    expect(t.ok).toBe(true);
    expect(t.output).toMatch(/syntax is ok/);
    expect(nginx.pid).toBeGreaterThan(0);
    expect(nginx.workerPids().length).toBe(1);
  });

  it('proxies to both upstream targets after a reload, with large bodies', async () => {
    nginx.writeConf('site.conf', siteConf(nginx.port, 'app.example.test', [a, b]));
    const workersBefore = nginx.workerPids();
    await nginx.reload();
    expect(nginx.workerPids().some((p) => !workersBefore.includes(p))).toBe(true);

    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const res = await httpRequest(`http://app.example.test/hello?i=${i}`, { connectTo: { host: '127.0.0.1', port: nginx.port } });
      expect(res.status).toBe(200);
      const body = JSON.parse(res.body);
      expect(body.url).toBe(`/hello?i=${i}`);
      expect(body.headers.host).toBe('app.example.test');
      seen.add(body.upstream);
    }
    expect([...seen].sort()).toEqual(['a', 'b']);

    const big = crypto.randomBytes(5 * 1024 * 1024);
    const res = await httpRequest('http://app.example.test/upload', {
      method: 'POST',
      body: big,
      connectTo: { host: '127.0.0.1', port: nginx.port },
      timeoutMs: 30_000,
    });
    const body = JSON.parse(res.body);
    expect(body.bodyBytes).toBe(big.length);
    expect(body.bodySha256).toBe(crypto.createHash('sha256').update(big).digest('hex'));
  });

  it('proxies a WebSocket and echoes messages', async () => {
    const ws = await connectWebSocket('ws://app.example.test/socket', { connectTo: { host: '127.0.0.1', port: nginx.port } });
    expect(['a', 'b']).toContain(ws.headers['x-upstream']);
    ws.send('ping-1');
    expect(await ws.next()).toBe('ping-1');
    const blob = crypto.randomBytes(200_000);
    ws.send(blob);
    expect(Buffer.compare((await ws.next()) as Buffer, blob)).toBe(0);
    await ws.close();
    expect(a.wsConnections.length + b.wsConnections.length).toBe(1);
  });

  it('refuses to reload a broken config and keeps serving', async () => {
    nginx.writeConf('broken.conf', 'server { listen 127.0.0.1:1; bogus_directive on; }\n');
    const t = await nginx.test();
    expect(t.ok).toBe(false);
    expect(t.output).toMatch(/unknown directive "bogus_directive"/);
    await expect(nginx.reload()).rejects.toThrow(/bogus_directive/);
    nginx.removeConf('broken.conf');
    const res = await httpRequest('http://app.example.test/still', { connectTo: { host: '127.0.0.1', port: nginx.port } });
    expect(res.status).toBe(200);
  });

  it('can be controlled through its wrapper like a command run over ssh', async () => {
    expect(fs.readFileSync(nginx.wrapper, 'utf8')).toContain(`-p ${nginx.prefix}/`);
    const { stderr } = await run(nginx.wrapper, ['-t']);
    expect(stderr).toMatch(/test is successful/);
    const master = nginx.pid;
    await run(nginx.wrapper, ['-s', 'reload']);
    expect(nginx.pid).toBe(master);
  });

  it('stops by PID and removes its prefix', async () => {
    const local = await startNginx();
    const { pid, port, prefix } = local;
    const workers = local.workerPids();
    await local.stop();
    expect(pidAlive(pid)).toBe(false);
    await waitFor(() => workers.every((w) => !pidAlive(w)), { timeoutMs: 5000, description: 'workers gone' });
    expect(fs.existsSync(prefix)).toBe(false);
    expect(await canConnect('127.0.0.1', port)).toBe(false);
  });
});

describe.skipIf(!requireBinary('nginx', 'sshd', 'ssh', 'sudo'))('harness: nginx controlled over ssh', () => {
  it('runs nginx -t, reload and a quit + daemonized restart through sshd, as root and via sudo', async () => {
    const nginx = await startNginx();
    const sshd = await startSshd({ users: [{ name: 'root' }, { name: 'ops', sudo: 'nopasswd' }] });
    try {
      const w = nginx.wrapper;
      const asRoot = await run('ssh', [...sshd.sshArgs('root'), `${w} -t 2>&1 && ${w} -s reload && echo reloaded`]);
      expect(asRoot.stdout).toMatch(/test is successful[\s\S]*reloaded/);
      const viaSudo = await run('ssh', [...sshd.sshArgs('ops'), `sudo -n ${w} -t 2>&1`]);
      expect(viaSudo.stdout).toMatch(/test is successful/);

      // quit our master over ssh, then start a normal daemonized one through the same wrapper
      const oldMaster = nginx.pid;
      await run('ssh', [...sshd.sshArgs('root'), `${w} -s quit`]);
      await waitFor(() => !pidAlive(oldMaster), { timeoutMs: 10_000, description: 'old master gone' });
      await run('ssh', [...sshd.sshArgs('root'), w]);
      const daemon = await waitFor(() => (nginx.pid !== oldMaster && pidAlive(nginx.pid) ? nginx.pid : 0), {
        timeoutMs: 10_000,
        description: 'daemonized master running',
      });
      const res = await waitFor(() => httpRequest(`http://127.0.0.1:${nginx.port}/__harness/health`), { timeoutMs: 10_000 });
      expect(res.status).toBe(200);
      await nginx.stop();
      await waitFor(() => !pidAlive(daemon), { timeoutMs: 10_000, description: 'daemonized master stopped by stop()' });
    } finally {
      await sshd.stop();
      await nginx.stop().catch(() => undefined);
    }
  });
});
