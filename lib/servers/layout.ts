import { z } from 'zod';
import { checkFilePath, checkedString, portSchema } from '../nginx/grammar';
import { nginxCommandSchema, type NginxLayoutSetting } from '../nginx/layout';

/**
 * A server's `nginxLayout` as the API takes and shows it. Most servers use the distro package's
 * layout (the column is null); the resolved layout is lib/nginx's `nginxLayoutOf`.
 */
const filePath = checkedString(checkFilePath, 255);

export const nginxLayoutInput = z.strictObject({
  managedDir: filePath,
  mainConfig: filePath,
  command: nginxCommandSchema,
  pidFile: filePath.nullable().optional(),
  httpPort: portSchema.default(80),
  httpsPort: portSchema.default(443),
  logDir: filePath.nullable().optional(),
});
export type NginxLayoutInput = z.output<typeof nginxLayoutInput>;

export const nginxLayoutSchema = z.object({
  managedDir: z.string(),
  mainConfig: z.string(),
  command: z.string(),
  pidFile: z.string().nullable(),
  httpPort: z.number().int(),
  httpsPort: z.number().int(),
  /** Per-domain log files go here; null: the distro's /var/log/nginx. */
  logDir: z.string().nullable(),
});
export type NginxLayoutDto = z.infer<typeof nginxLayoutSchema>;

export function toNginxLayoutSetting(input: NginxLayoutInput): NginxLayoutSetting {
  return { ...input, pidFile: input.pidFile ?? null, logDir: input.logDir ?? null };
}

export function nginxLayoutDto(paths: NginxLayoutSetting | null): NginxLayoutDto | null {
  if (!paths) return null;
  return { managedDir: paths.managedDir, mainConfig: paths.mainConfig, command: paths.command, pidFile: paths.pidFile ?? null, httpPort: paths.httpPort, httpsPort: paths.httpsPort, logDir: paths.logDir ?? null };
}
