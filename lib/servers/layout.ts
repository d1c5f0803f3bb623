import { z } from 'zod';
import { checkFilePath, checkedString, portSchema } from '../proxy/grammar';
import { defaultNginxLayout, type NginxLayout } from '../provision/plans';
import type { NginxPaths } from '../db/schema/sqlite';

/**
 * Where Nginx lives on one server. Most servers use the distro package's layout (the column is
 * null); an admin with Nginx in an unusual prefix (or a test harness) sets `nginxLayout`.
 * `pidFile` is ours on top of the schema's NginxPaths (a JSON column, so no migration): without
 * it "running" means "some process is called nginx", which is wrong when several run side by side.
 */
export type StoredNginxPaths = NginxPaths & { pidFile?: string | null };

/** The layout every Gatehouse part uses for a server: provisioning, deploy, drift. */
export interface ServerNginxLayout extends NginxLayout {
  httpPort: number;
  httpsPort: number;
}

// Words of the nginx command: a binary (name or absolute path) and plain arguments. They are
// shell-quoted when used; this only keeps them readable and free of shell syntax.
const WORD = /^[A-Za-z0-9._/=:,+-]+$/;

export const nginxCommandSchema = z
  .string({ error: 'Enter the command that runs nginx.' })
  .trim()
  .min(1, 'Enter the command that runs nginx, e.g. nginx or /opt/nginx/sbin/nginx.')
  .max(500, 'At most 500 characters.')
  .refine((s) => s.split(/\s+/).every((w) => WORD.test(w)), {
    message: 'Use plain words separated by spaces (letters, digits and . _ / = : , + -); no quotes or shell syntax.',
  })
  .refine((s) => { const bin = s.split(/\s+/)[0]; return bin.startsWith('/') || /^[A-Za-z0-9._-]+$/.test(bin); }, {
    message: 'Start with the nginx binary: a name found on PATH or an absolute path.',
  });

const filePath = checkedString(checkFilePath, 255);

export const nginxLayoutInput = z.strictObject({
  managedDir: filePath,
  mainConfig: filePath,
  command: nginxCommandSchema,
  pidFile: filePath.nullable().optional(),
  httpPort: portSchema.default(80),
  httpsPort: portSchema.default(443),
});
export type NginxLayoutInput = z.output<typeof nginxLayoutInput>;

export const nginxLayoutSchema = z.object({
  managedDir: z.string(),
  mainConfig: z.string(),
  command: z.string(),
  pidFile: z.string().nullable(),
  httpPort: z.number().int(),
  httpsPort: z.number().int(),
});
export type NginxLayoutDto = z.infer<typeof nginxLayoutSchema>;

export function toStoredNginxPaths(input: NginxLayoutInput): StoredNginxPaths {
  return { ...input, pidFile: input.pidFile ?? null };
}

export function nginxLayoutDto(paths: StoredNginxPaths | null): NginxLayoutDto | null {
  if (!paths) return null;
  return { managedDir: paths.managedDir, mainConfig: paths.mainConfig, command: paths.command, pidFile: paths.pidFile ?? null, httpPort: paths.httpPort, httpsPort: paths.httpsPort };
}

/**
 * The server's Nginx layout: the stored one, or the distro default (/etc/nginx, `nginx` on PATH,
 * ports 80 and 443). The proxy engineer deploys into `managedDir` with this same object.
 */
export function nginxLayoutOf(server: { nginxPaths: NginxPaths | null }): ServerNginxLayout {
  const paths = server.nginxPaths as StoredNginxPaths | null;
  if (!paths) return { ...defaultNginxLayout, httpPort: 80, httpsPort: 443 };
  const [binary, ...args] = paths.command.trim().split(/\s+/);
  return {
    ...defaultNginxLayout,
    confPath: paths.mainConfig,
    managedDir: paths.managedDir,
    binary,
    args,
    pidFile: paths.pidFile ?? null,
    httpPort: paths.httpPort ?? 80,
    httpsPort: paths.httpsPort ?? 443,
  };
}
