/**
 * Where Nginx lives on one server and how to run it: the one layout every part uses
 * (provisioning, deploy, drift, certificates). Most servers use the distro package's layout; an
 * admin with Nginx in an unusual prefix (or a test harness) stores a `NginxLayoutSetting`.
 */
import { z } from 'zod';
import { shq } from '../ssh/quote';
import { checkFilePath } from './grammar';
import { ConfigRenderError } from './errors';

/** The resolved layout. The defaults fit distro packages; tests point them at a private prefix. */
export interface NginxLayout {
  /** The main nginx.conf: it gets one include line, and is read for `pid` without a PID file. */
  confPath: string;
  /** Gatehouse's own directory; nginx.conf gets one include line for `<managedDir>/http.conf`. */
  managedDir: string;
  binary: string;
  /** Added to every nginx invocation, e.g. ['-p', prefix, '-c', 'conf/nginx.conf']. */
  args: string[];
  /** When set, "running" means this PID file names a live process; else `pgrep -x nginx`. */
  pidFile: string | null;
  /** systemd/OpenRC service name. */
  service: string;
  httpPort: number;
  httpsPort: number;
  /** Where per-domain log files go (`gatehouse-<fqdn>.access.log`, `.error.log`). */
  logDir: string;
}

/**
 * What an admin stores for a server with a non-default layout (the `servers.nginx_paths` JSON
 * column; `pidFile` was added later, so older rows lack it).
 */
export interface NginxLayoutSetting {
  managedDir: string;
  mainConfig: string;
  /** Command prefix to invoke nginx, e.g. "nginx" or "nginx -p /srv/x -c conf/nginx.conf". */
  command: string;
  pidFile?: string | null;
  httpPort: number;
  httpsPort: number;
  /** Added later: older rows lack it (then the distro default). */
  logDir?: string | null;
}

/** The managed directory's shape, shared by provisioning (which creates it) and deploy (which fills it). */
export const MANAGED_FILES = {
  /** Included from nginx.conf's http block; includes the two below. */
  entry: 'http.conf',
  upstreams: 'upstreams.conf',
  domainsDir: 'domains',
  /** TCP/UDP streams: included from the top level of nginx.conf (not inside http {}). */
  streams: 'streams.conf',
} as const;

export const defaultNginxLayout: NginxLayout = {
  confPath: '/etc/nginx/nginx.conf',
  managedDir: '/etc/nginx/gatehouse',
  binary: 'nginx',
  args: [],
  pidFile: null,
  service: 'nginx',
  httpPort: 80,
  httpsPort: 443,
  logDir: '/var/log/nginx',
};

// Words of the nginx command: a binary (name or absolute path) and plain arguments. They are
// shell-quoted when used; this only keeps them readable and free of shell syntax.
const COMMAND_WORD = /^[A-Za-z0-9._/=:,+-]+$/;

export const nginxCommandSchema = z
  .string({ error: 'Enter the command that runs nginx.' })
  .trim()
  .min(1, 'Enter the command that runs nginx, e.g. nginx or /opt/nginx/sbin/nginx.')
  .max(500, 'At most 500 characters.')
  .refine((s) => s.split(/\s+/).every((w) => COMMAND_WORD.test(w)), {
    message: 'Use plain words separated by spaces (letters, digits and . _ / = : , + -); no quotes or shell syntax.',
  })
  .refine((s) => { const bin = s.split(/\s+/)[0]; return bin.startsWith('/') || /^[A-Za-z0-9._-]+$/.test(bin); }, {
    message: 'Start with the nginx binary: a name found on PATH or an absolute path.',
  });

/** The nginx command as separate words, e.g. ['nginx'] or ['/srv/x/sbin/nginx', '-p', '/srv/x']. */
export const nginxWords = (layout: Pick<NginxLayout, 'binary' | 'args'>): string[] => [layout.binary, ...layout.args];

/** `nginx <layout args> <extra>` as a shell command. */
export function nginxCommand(layout: Pick<NginxLayout, 'binary' | 'args'>, ...extra: string[]): string {
  return [...nginxWords(layout), ...extra].map((a) => shq(a)).join(' ');
}

export function includeLine(layout: Pick<NginxLayout, 'managedDir'>): string {
  return `include ${layout.managedDir}/${MANAGED_FILES.entry};`;
}

/** The top-level include of the streams file, appended at the end of nginx.conf (after any load_module). */
export function streamsIncludeLine(layout: Pick<NginxLayout, 'managedDir'>): string {
  return `include ${layout.managedDir}/${MANAGED_FILES.streams};`;
}

/** A domain's log file on the server (the fqdn is a checked host name). */
export function domainLogPath(layout: Pick<NginxLayout, 'logDir'>, fqdn: string, kind: 'access' | 'error'): string {
  return `${layout.logDir}/gatehouse-${fqdn}.${kind}.log`;
}

function path(value: string, field: string): string {
  const r = checkFilePath(value);
  if (!r.ok) throw new ConfigRenderError(`server.${field}: ${r.message}`, field);
  return r.value;
}

/**
 * The server's Nginx layout: the stored one, or the distro default. Stored values are checked
 * again here because they reach a root shell and the config; a bad one throws ConfigRenderError.
 */
export function nginxLayoutOf(server: { nginxPaths: NginxLayoutSetting | null }): NginxLayout {
  const stored = server.nginxPaths;
  if (!stored) return { ...defaultNginxLayout };
  const [binary, ...args] = stored.command.trim().split(/\s+/);
  if (![binary, ...args].every((w) => COMMAND_WORD.test(w))) throw new ConfigRenderError('server.nginxLayout.command: use plain words only.', 'nginxLayout.command');
  return {
    ...defaultNginxLayout,
    confPath: path(stored.mainConfig, 'nginxLayout.mainConfig'),
    managedDir: path(stored.managedDir, 'nginxLayout.managedDir'),
    binary,
    args,
    pidFile: stored.pidFile ? path(stored.pidFile, 'nginxLayout.pidFile') : null,
    httpPort: stored.httpPort ?? 80,
    httpsPort: stored.httpsPort ?? 443,
    logDir: stored.logDir ? path(stored.logDir, 'nginxLayout.logDir') : defaultNginxLayout.logDir,
  };
}
