/**
 * Where a server's Nginx keeps Gatehouse's files and how to run it: the servers feature's
 * `nginxLayoutOf`, re-checked here because these values reach a root shell and the config.
 */
import { nginxLayoutOf } from '@/lib/servers/layout';
import type { NginxPaths } from '@/lib/db/schema/sqlite';
import { ConfigRenderError } from './errors';
import { checkFilePath } from './grammar';

export interface ProxyLayout {
  managedDir: string;
  /** nginx.conf, read for its `pid` directive when no PID file is configured. */
  mainConfig: string;
  /** The PID file of the master, when the server's layout names one. */
  pidFile: string | null;
  /** The nginx command as separate words, e.g. ['nginx'] or ['/srv/x/sbin/nginx']. */
  command: string[];
  httpPort: number;
  httpsPort: number;
}

const COMMAND_WORD = /^[A-Za-z0-9_./=:,+-]+$/;

function path(value: string, field: string): string {
  const r = checkFilePath(value);
  if (!r.ok) throw new ConfigRenderError(`server.${field}: ${r.message}`, field);
  return r.value;
}

/** The layout of a server row; throws ConfigRenderError when a stored value is unusable. */
export function proxyLayoutOf(row: { nginxPaths: NginxPaths | null }): ProxyLayout {
  const l = nginxLayoutOf(row);
  const command = [l.binary, ...l.args];
  if (!command.every((w) => COMMAND_WORD.test(w))) throw new ConfigRenderError('server.nginxLayout.command: use plain words only.', 'nginxLayout.command');
  return {
    managedDir: path(l.managedDir, 'nginxLayout.managedDir'),
    mainConfig: path(l.confPath, 'nginxLayout.mainConfig'),
    pidFile: l.pidFile ? path(l.pidFile, 'nginxLayout.pidFile') : null,
    command,
    httpPort: l.httpPort,
    httpsPort: l.httpsPort,
  };
}
