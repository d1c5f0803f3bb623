/**
 * A real nginx (Debian /usr/sbin/nginx, 1.22) with its own prefix in a temp dir, listening on
 * 127.0.0.1:<free port>, master running as root with `user root;` workers.
 *
 * Layout of the prefix (mode 0755, so a test user over ssh can read it):
 *   conf/nginx.conf     main config; `include <prefix>/conf.d/*.conf;` inside http {}
 *   conf.d/             drop site/upstream files here, then reload()
 *   logs/error.log, logs/access.log, nginx.pid, temp/
 *   sbin/nginx          wrapper: exec /usr/sbin/nginx -p <prefix>/ -c conf/nginx.conf -e <prefix>/logs/error.log "$@"
 *
 * Controlling it from a command run over ssh (sshd from ./sshd.ts runs on the same machine):
 *   <prefix>/sbin/nginx -t            (or: /usr/sbin/nginx -p <prefix>/ -c conf/nginx.conf -t)
 *   <prefix>/sbin/nginx -s reload     (reads <prefix>/nginx.pid)
 *   <prefix>/sbin/nginx -s quit; <prefix>/sbin/nginx    (restart: the wrapper starts a normal,
 *                                                        daemonized master; stop() kills it too)
 * `daemon off` is passed by the harness on its own command line (-g), not written in nginx.conf, so
 * the same config also starts a daemon the usual way. A non-root ssh user needs sudo for all of it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from './ports';
import { waitFor, waitForHttp } from './wait';
import {
  HarnessError,
  childPids,
  looksLikePortClash,
  makeTempDir,
  pidAlive,
  resolveBinary,
  run,
  spawnManaged,
  type ManagedProcess,
} from './process';

export const NGINX_BINARY = '/usr/sbin/nginx';
/** Debian's dynamic stream module (package libnginx-mod-stream, scripts/install-test-deps.sh). */
export const NGINX_STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';

export interface NginxOptions {
  /** Extra directives inside http {} before the include line. */
  httpExtra?: string;
  /** Extra top-level directives before events {} (e.g. load_module). */
  mainExtra?: string;
  /** Skip the harness's default server on `port` (then conf.d must provide one). */
  noDefaultServer?: boolean;
  /** Initial files for conf.d: { 'site.conf': '...' }. */
  files?: Record<string, string>;
}

export interface NginxTestResult {
  ok: boolean;
  /** nginx's own output (stderr of nginx -t). */
  output: string;
}

export interface NginxInstance {
  prefix: string;
  /** The default server's port on 127.0.0.1 (also free for your own server blocks). */
  port: number;
  confDir: string;
  confFile: string;
  errorLog: string;
  accessLog: string;
  pidFile: string;
  /** Path of the wrapper script that runs nginx against this prefix. */
  wrapper: string;
  /** The nginx binary (absolute). */
  binary: string;
  /** Current master PID (read from the pid file). */
  readonly pid: number;
  /** Current worker PIDs. */
  workerPids(): number[];
  /** Writes a file into conf.d (no reload). */
  writeConf(name: string, content: string): string;
  removeConf(name: string): void;
  /** `nginx -t` against this prefix; never throws. */
  test(): Promise<NginxTestResult>;
  /**
   * `nginx -t`, then `nginx -s reload`, then waits until a worker of the new generation runs.
   * Throws with nginx's error text when the config is invalid (nginx keeps serving the old one).
   */
  reload(): Promise<void>;
  stop(): Promise<void>;
}

export async function startNginx(opts: NginxOptions = {}): Promise<NginxInstance> {
  const binary = resolveBinary(NGINX_BINARY);
  const tmp = makeTempDir('nginx', 0o755);
  const prefix = tmp.path;
  const confDir = path.join(prefix, 'conf.d');
  const confFile = path.join(prefix, 'conf', 'nginx.conf');
  const errorLog = path.join(prefix, 'logs', 'error.log');
  const accessLog = path.join(prefix, 'logs', 'access.log');
  const pidFile = path.join(prefix, 'nginx.pid');
  const wrapper = path.join(prefix, 'sbin', 'nginx');
  const stdoutLog = path.join(prefix, 'logs', 'master.log');
  for (const d of ['conf', 'conf.d', 'logs', 'sbin', 'temp', 'html']) fs.mkdirSync(path.join(prefix, d), { mode: 0o755 });
  if (fs.existsSync('/etc/nginx/mime.types')) fs.copyFileSync('/etc/nginx/mime.types', path.join(prefix, 'conf', 'mime.types'));
  else fs.writeFileSync(path.join(prefix, 'conf', 'mime.types'), 'types { text/html html; application/json json; text/plain txt; }\n');
  const baseArgs = ['-p', `${prefix}/`, '-c', 'conf/nginx.conf', '-e', errorLog];
  fs.writeFileSync(wrapper, `#!/bin/sh\nexec ${binary} ${baseArgs.join(' ')} "$@"\n`, { mode: 0o755 });
  for (const [name, content] of Object.entries(opts.files ?? {})) fs.writeFileSync(path.join(confDir, name), content);

  const writeMainConf = (port: number) => {
    const t = (n: string) => path.join(prefix, 'temp', n);
    const conf = `# written by tests/support/nginx.ts
user root;
worker_processes 1;
pid ${pidFile};
error_log ${errorLog} notice;
${opts.mainExtra ? `${opts.mainExtra}\n` : ''}
events {
    worker_connections 1024;
}

http {
    include ${path.join(prefix, 'conf', 'mime.types')};
    default_type application/octet-stream;
    access_log ${accessLog};
    client_body_temp_path ${t('client_body')};
    proxy_temp_path ${t('proxy')};
    fastcgi_temp_path ${t('fastcgi')};
    uwsgi_temp_path ${t('uwsgi')};
    scgi_temp_path ${t('scgi')};
    sendfile on;
    keepalive_timeout 65;
    server_names_hash_bucket_size 128;
${opts.httpExtra ? `${opts.httpExtra}\n` : ''}${
      opts.noDefaultServer
        ? ''
        : `
    server {
        listen 127.0.0.1:${port} default_server;
        server_name _;
        location = /__harness/health { return 200 "ok\\n"; }
        location / { return 404 "gatehouse test nginx: no site for this host\\n"; }
    }
`
    }
    include ${confDir}/*.conf;
}
`;
    fs.writeFileSync(confFile, conf);
  };

  const nginxTest = async (): Promise<NginxTestResult> => {
    try {
      const { stderr, stdout } = await run(wrapper, ['-t']);
      return { ok: true, output: `${stdout}${stderr}`.trim() };
    } catch (err) {
      return { ok: false, output: (err as Error).message };
    }
  };

  const readPid = (): number | null => {
    try {
      const n = Number(fs.readFileSync(pidFile, 'utf8').trim());
      return Number.isInteger(n) && n > 0 ? n : null;
    } catch {
      return null;
    }
  };

  let proc: ManagedProcess | undefined;
  let port = 0;
  try {
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      writeMainConf(port);
      const t = await nginxTest();
      if (!t.ok) throw new HarnessError(`nginx -t failed for the harness config:\n${t.output}`);
      const p = spawnManaged(binary, [...baseArgs, '-g', 'daemon off;'], { name: 'nginx', logFile: stdoutLog, cwd: prefix });
      try {
        await waitFor(() => readPid() === p.pid, { timeoutMs: 10_000, description: 'nginx pid file', abortIf: () => p.assertAlive() });
        if (!opts.noDefaultServer) {
          await waitForHttp(`http://127.0.0.1:${port}/__harness/health`, { timeoutMs: 10_000, abortIf: () => p.assertAlive() });
        }
        proc = p;
        break;
      } catch (err) {
        await p.stop();
        const log = `${p.logTail()}\n${fs.existsSync(errorLog) ? fs.readFileSync(errorLog, 'utf8').split('\n').slice(-20).join('\n') : ''}`;
        if (attempt < 3 && looksLikePortClash(log)) continue;
        throw new HarnessError(`${(err as Error).message}\nnginx logs:\n${log}`);
      }
    }
  } catch (err) {
    tmp.remove();
    throw err;
  }

  const masterPid = () => readPid() ?? proc!.pid;

  const instance: NginxInstance = {
    prefix,
    port,
    confDir,
    confFile,
    errorLog,
    accessLog,
    pidFile,
    wrapper,
    binary,
    get pid() {
      return masterPid();
    },
    workerPids: () => childPids(masterPid()),
    writeConf(name, content) {
      const file = path.join(confDir, name);
      fs.writeFileSync(file, content);
      return file;
    },
    removeConf(name) {
      fs.rmSync(path.join(confDir, name), { force: true });
    },
    test: nginxTest,
    async reload() {
      const t = await nginxTest();
      if (!t.ok) throw new HarnessError(`nginx -t failed, not reloading:\n${t.output}`);
      const master = masterPid();
      const before = new Set(childPids(master));
      await run(wrapper, ['-s', 'reload']);
      // Done when a new-generation worker runs and every old worker has exited or closed its
      // listeners (nginx retitles it "worker process is shutting down").
      await waitFor(() => childPids(master).some((p) => !before.has(p)) && [...before].every((p) => !pidAlive(p) || isShuttingDown(p)), {
        timeoutMs: 15_000,
        description: 'nginx workers of the new generation',
        abortIf: () => {
          if (!pidAlive(master)) throw new HarnessError(`nginx master ${master} died during reload:\n${fs.readFileSync(errorLog, 'utf8').slice(-2000)}`);
        },
      });
    },
    async stop() {
      const other = readPid();
      await proc!.stop();
      // A master started over ssh through the wrapper (daemonized) is not our child: stop it too.
      if (other && other !== proc!.pid && pidAlive(other) && isOurNginx(other, prefix)) {
        process.kill(other, 'SIGTERM');
        await waitFor(() => !pidAlive(other), { timeoutMs: 10_000, description: `nginx master ${other} exit` }).catch(() => {
          try {
            process.kill(other, 'SIGKILL');
          } catch {
            // gone
          }
        });
      }
      tmp.remove();
    },
  };
  return instance;
}

function isShuttingDown(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('shutting down');
  } catch {
    return true;
  }
}

function isOurNginx(pid: number, prefix: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(prefix);
  } catch {
    return false;
  }
}
