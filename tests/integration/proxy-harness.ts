/**
 * A deploy target for proxy tests: real sshd (root by key) and a real nginx whose http block
 * includes a Gatehouse managed directory (as `install nginx` would set it up), registered as a
 * server through the API. Domains listen on their own free port on 127.0.0.1.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { api } from '../support/api';
import { NGINX_STREAM_MODULE, startNginx, type NginxInstance } from '../support/nginx';
import { startSshd, type SshdInstance } from '../support/sshd';
import { freePort } from '../support/ports';
import { httpRequest, type HttpResult } from '../support/wait';
import { waitForTask } from '@/lib/tasks/runner';

export interface DeployTarget {
  sshd: SshdInstance;
  nginx: NginxInstance;
  managedDir: string;
  httpPort: number;
  serverId: string;
  /** GET (or other) through the server's nginx with a Host header. */
  request(host: string, opts?: { method?: string; path?: string; body?: string | Buffer; headers?: Record<string, string> }): Promise<HttpResult>;
  /** POST /servers/{id}/deploy (or /domains/{id}/deploy), run the task, return the task row. */
  deploy(domainId?: string): Promise<Awaited<ReturnType<typeof waitForTask>>>;
  file(rel: string): string | null;
  stop(): Promise<void>;
}

/**
 * `sudo`: log in as a non-root user with passwordless sudo instead of root. `command`: the Nginx
 * command to register, given the real wrapper (e.g. a script that holds `nginx -t` at a gate).
 */
export async function startDeployTarget(
  adminToken: string,
  name: string,
  opts: { sudo?: boolean; command?: (nginxWrapper: string) => string; streams?: boolean } = {},
): Promise<DeployTarget> {
  const managedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-managed-'));
  fs.chmodSync(managedDir, 0o755);
  // What lib/provision's nginx plan creates: http.conf including the two managed parts.
  fs.mkdirSync(path.join(managedDir, 'domains'));
  fs.writeFileSync(path.join(managedDir, 'upstreams.conf'), '# Managed by Gatehouse.\n');
  fs.writeFileSync(path.join(managedDir, 'http.conf'), `include ${managedDir}/upstreams.conf;\ninclude ${managedDir}/domains/*.conf;\n`);
  const sshd = await startSshd({ users: [opts.sudo ? { name: 'deploy', sudo: 'nopasswd' } : { name: 'root' }] });
  const login = sshd.user(opts.sudo ? 'deploy' : 'root');
  const nginx = await startNginx({
    files: { 'gatehouse.conf': `include ${managedDir}/http.conf;\n` },
    // What Debian's modules-enabled/50-mod-stream.conf does in a distro nginx.conf.
    mainExtra: opts.streams ? `load_module ${NGINX_STREAM_MODULE};` : undefined,
  });
  const httpPort = await freePort();
  const httpsPort = await freePort();
  const r = await api('POST', '/api/v1/servers', {
    token: adminToken,
    body: {
      name, host: '127.0.0.1', sshPort: sshd.port, sshUser: login.username, authMethod: 'key', privateKey: login.privateKey, monitoringEnabled: false,
      nginxLayout: { managedDir, mainConfig: nginx.confFile, command: opts.command?.(nginx.wrapper) ?? nginx.wrapper, pidFile: nginx.pidFile, httpPort, httpsPort, logDir: path.join(nginx.prefix, 'logs') },
    },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const serverId = r.body.id as string;
  return {
    sshd, nginx, managedDir, httpPort, serverId,
    request: (host, opts = {}) =>
      httpRequest(`http://${host}${opts.path ?? '/'}`, { method: opts.method, body: opts.body, headers: opts.headers, connectTo: { host: '127.0.0.1', port: httpPort } }),
    async deploy(domainId) {
      const res = await api('POST', domainId ? `/api/v1/domains/${domainId}/deploy` : `/api/v1/servers/${serverId}/deploy`, { token: adminToken });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      return waitForTask(res.body.taskId);
    },
    file(rel) {
      const p = path.join(managedDir, rel);
      return fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : null;
    },
    async stop() {
      await nginx.stop();
      await sshd.stop();
      fs.rmSync(managedDir, { recursive: true, force: true });
    },
  };
}

/** Log lines of a task, for failure messages. */
export async function taskLog(token: string, taskId: string): Promise<string> {
  const r = await api('GET', `/api/v1/tasks/${taskId}/logs`, { token });
  return (r.body.lines ?? []).map((l: { text: string }) => l.text).join('\n');
}
