/**
 * Reads what rendering needs for one server from the database: the pure renderer (render.ts)
 * turns it into files. Certificates become files of the rendered set (certs/<id>.crt and .key).
 */
import { eq, inArray } from 'drizzle-orm';
import { createHash } from 'node:crypto';
import { getDb } from '../db';
import { open } from '../crypto/secret-box';
import { getServerRow, type ServerRow } from '../servers/connection';
import { loadUpstreams } from './upstreams';
import { nginxLayoutOf, type NginxLayout } from '../nginx/layout';
import type { AccessList, CertificateFiles, Domain, RenderInput, Template } from './types';
import { domainAccessListIds, domainUpstreamIds } from './render';
import { htpasswdPath } from './template-context';
import type { DomainRow } from './store';

type CertificateRow = typeof import('../db/schema/sqlite').certificates.$inferSelect;

/** A file Gatehouse writes into the managed directory. */
export interface DeployFile {
  path: string;
  content: string;
  sha256: string;
  mode: number;
  /** Private keys: never shown, logged or stored in the manifest. */
  secret?: boolean;
}

export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
/** What stands in for a private key wherever file content is shown or stored: its hash only. */
export const secretStandIn = (hash: string, path?: string) =>
  path?.endsWith('.htpasswd')
    ? `# password hashes: written with mode 0640, never shown by Gatehouse\n# sha256 ${hash}\n`
    : `# private key: written with mode 0600, never shown or stored by Gatehouse\n# sha256 ${hash}\n`;

/** Managed files whose content is never read back, shown or diffed: keys and password files. */
export const isSecretPath = (p: string) => p.endsWith('.key') || p.endsWith('.htpasswd');

/**
 * An access list's htpasswd file: `user:hash` lines (SHA-512 crypt, `$6$`). Mode 0640: the
 * deploy script gives it the group of Nginx's workers, who read it at request time.
 */
export function htpasswdFile(list: AccessList): DeployFile {
  const content = list.users.map((u) => `${u.username}:${u.hash}\n`).join('');
  return { path: htpasswdPath(list.id), content, sha256: sha256(content), mode: 0o640, secret: true };
}

export type AccessListRow = typeof import('../db/schema/sqlite').accessLists.$inferSelect;

export const toRenderAccessList = (r: AccessListRow): AccessList => ({ id: r.id, name: r.name, satisfy: r.satisfy, users: r.users ?? [], rules: r.rules ?? [] });

/**
 * A stored domain in the shape of its input (domainInput): what rendering reads, what a PATCH is
 * merged into, and the editable part of the API's DomainDto.
 */
export function domainInputOf(d: DomainRow) {
  return {
    fqdn: d.fqdn,
    aliases: d.aliases ?? [],
    serverId: d.serverId,
    upstreamId: d.upstreamId,
    redirect: d.redirect ?? null,
    accessListId: d.accessListId ?? null,
    locations: (d.locations ?? []).map((l) => ({
      path: l.path,
      upstreamId: l.upstreamId ?? null,
      redirect: l.redirect ?? null,
      websocket: l.websocket,
      clientMaxBodySize: l.clientMaxBodySize,
      accessListId: l.accessListId ?? null,
    })),
    templateId: d.templateId,
    ssl: { mode: d.sslMode, certificateId: d.certificateId, forceHttps: d.forceHttps, hsts: d.hsts, http2: d.http2 },
    websocket: d.websocket,
    clientMaxBodySize: d.clientMaxBodySize,
    customDirectives: d.customDirectives,
    logs: { access: d.accessLog, error: d.errorLog },
    nameservers: { expected: d.expectedNameservers ?? [], pattern: d.nameserverPattern },
  };
}

export function toRenderDomain(d: DomainRow): Domain {
  return { id: d.id, ...domainInputOf(d) };
}

export const certPaths = (id: string) => ({ cert: `certs/${id}.crt`, key: `certs/${id}.key` });

/** Certificates that can be served: a PEM and its sealed key are present. */
function servable(c: CertificateRow): boolean {
  return Boolean(c.certificatePem && c.privateKeyEnc);
}

/** The certificate and key files of the given certificates (key decrypted, mode 0600). */
export function certificateFiles(rows: CertificateRow[]): DeployFile[] {
  const out: DeployFile[] = [];
  for (const c of rows.filter(servable)) {
    const p = certPaths(c.id);
    const chain = c.chainPem ? `${c.certificatePem!.trimEnd()}\n${c.chainPem.trim()}\n` : `${c.certificatePem!.trimEnd()}\n`;
    const key = `${open(c.privateKeyEnc!).trimEnd()}\n`;
    out.push({ path: p.cert, content: chain, sha256: sha256(chain), mode: 0o644 });
    out.push({ path: p.key, content: key, sha256: sha256(key), mode: 0o600, secret: true });
  }
  return out;
}

export interface ServerRenderState {
  /** Taken before reading: a domain whose updatedAt is later was edited after this render. */
  loadedAt: Date;
  server: ServerRow;
  layout: NginxLayout;
  domains: DomainRow[];
  input: RenderInput;
  certificates: CertificateRow[];
}

/** Everything rendering needs for one server (resolved addresses are added by the caller). */
export async function loadServerRenderState(serverId: string, resolved?: Record<string, string[]>): Promise<ServerRenderState> {
  const loadedAt = new Date();
  const server = await getServerRow(serverId);
  const layout = nginxLayoutOf(server);
  const { db, t } = getDb();
  const domains = await db.select().from(t.domains).where(eq(t.domains.serverId, serverId));
  const renderDomains = domains.map(toRenderDomain);
  const upstreamIds = [...new Set(renderDomains.flatMap(domainUpstreamIds))];
  const accessListIds = [...new Set(renderDomains.flatMap(domainAccessListIds))];
  const templateIds = [...new Set(domains.map((d) => d.templateId).filter((x): x is string => Boolean(x)))];
  const certIds = [...new Set(domains.filter((d) => d.sslMode !== 'none').map((d) => d.certificateId).filter((x): x is string => Boolean(x)))];
  const [upstreams, templateRows, certRows, accessListRows] = await Promise.all([
    loadUpstreams(upstreamIds),
    templateIds.length ? db.select().from(t.templates).where(inArray(t.templates.id, templateIds)) : Promise.resolve([]),
    certIds.length ? db.select().from(t.certificates).where(inArray(t.certificates.id, certIds)) : Promise.resolve([]),
    accessListIds.length ? db.select().from(t.accessLists).where(inArray(t.accessLists.id, accessListIds)) : Promise.resolve([]),
  ]);
  const templates: Template[] = templateRows.map((r) => ({ id: r.id, name: r.name, kind: r.kind, body: r.body, builtin: r.builtin }));
  const certificates: CertificateFiles[] = certRows.filter(servable).map((c) => ({ id: c.id, certPath: certPaths(c.id).cert, keyPath: certPaths(c.id).key }));
  return {
    loadedAt,
    server,
    layout,
    domains,
    certificates: certRows,
    input: {
      server: { id: server.id, managedDir: layout.managedDir, nginxVersion: server.nginxVersion, httpPort: layout.httpPort, httpsPort: layout.httpsPort, logDir: layout.logDir },
      upstreams,
      accessLists: accessListRows.map(toRenderAccessList),
      domains: renderDomains,
      templates,
      certificates,
      resolved,
    },
  };
}
