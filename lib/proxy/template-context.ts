/**
 * What a template sees. Every value here has passed the grammar: templates (built-in or an
 * admin's) only arrange validated tokens, they never receive raw database text.
 */
import { checkCustomDirectives, formatDirective } from './directives';
import { ConfigRenderError, must } from '../nginx/errors';
import { defaultNginxLayout, domainLogPath } from '../nginx/layout';
import {
  checkAccessSource,
  checkFilePath,
  checkHostname,
  checkHtpasswdUser,
  checkId,
  checkLocationPath,
  checkRedirectUrl,
  checkServerName,
  checkSize,
  parseNginxVersion,
  REDIRECT_CODES,
  versionAtLeast,
} from '../nginx/grammar';
import type { AccessList, CertificateFiles, Domain, Redirect, RenderServer, SslMode } from './types';

/** What a template sees of a redirect: `return {{ code }} {{ target }};` */
export interface RedirectContext {
  code: number;
  /** The URL, followed by `$request_uri` when the path and query are kept. One Nginx word. */
  target: string;
}

export interface LocationContext {
  path: string;
  /** The Nginx upstream name to proxy_pass to, or null when the location redirects. */
  upstream: string | null;
  redirect: RedirectContext | null;
  websocket: boolean;
  clientMaxBodySize: string;
  /** Access-control statements (`satisfy`, `allow`/`deny`, `auth_basic`...), one each. */
  accessControl: string[];
}

export interface TemplateContext {
  domain: {
    id: string;
    fqdn: string;
    aliases: string[];
    /** fqdn then aliases, space-separated, ready for `server_name`. */
    serverNames: string;
    websocket: boolean;
    clientMaxBodySize: string;
    /** Checked and re-written statements, one `directive args;` each. */
    customDirectives: string[];
    /** Set: `location /` answers with this redirect instead of proxying. */
    redirect: RedirectContext | null;
    /** The domain's access list as statements, for `location /` (and locations without their own). */
    accessControl: string[];
    locations: LocationContext[];
    /** Absolute paths of the domain's own log files, or null for the server's default log. */
    logs: { access: string | null; error: string | null };
    ssl: {
      mode: SslMode;
      forceHttps: boolean;
      hsts: boolean;
      http2: boolean;
      certificatePath: string | null;
      keyPath: string | null;
    };
  };
  /** Null when the domain redirects and has no upstream. */
  upstream: { name: string; keepalive: boolean } | null;
  listen: { http: number; https: number; httpsRedirectPort: string };
  nginx: { version: string | null; http2Directive: boolean };
  acme: { root: string; pending: boolean };
  managedDir: string;
}

export interface ServerSettings {
  managedDir: string;
  httpPort: number;
  httpsPort: number;
  version: [number, number, number] | null;
  logDir: string;
}

const SSL_MODES = new Set(['none', 'custom', 'acme']);

export function serverSettings(server: RenderServer): ServerSettings {
  const port = (p: number | undefined, fallback: number, field: string) => {
    const v = p ?? fallback;
    if (!Number.isInteger(v) || v < 1 || v > 65535) throw new ConfigRenderError(`${field}: ports are whole numbers from 1 to 65535.`, field);
    return v;
  };
  return {
    managedDir: must(checkFilePath(server.managedDir), 'server.managedDir'),
    httpPort: port(server.httpPort, 80, 'server.httpPort'),
    httpsPort: port(server.httpsPort, 443, 'server.httpsPort'),
    version: parseNginxVersion(server.nginxVersion),
    logDir: must(checkFilePath(server.logDir ?? defaultNginxLayout.logDir), 'server.logDir'),
  };
}

/** A certificate file path on the server: relative ones live under the managed directory. */
function certFile(path: string, s: ServerSettings, field: string): string {
  const abs = path.startsWith('/') ? path : `${s.managedDir}/${path}`;
  const checked = must(checkFilePath(abs), field);
  if (!checked.startsWith(`${s.managedDir}/`)) throw new ConfigRenderError(`${field}: certificate files must live under ${s.managedDir}.`, field);
  return checked;
}

function bool(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw new ConfigRenderError(`${field}: must be true or false.`, field);
  return value;
}

/** Where an access list's htpasswd file lives, relative to the managed directory. */
export const htpasswdPath = (accessListId: string) => `access/${accessListId}.htpasswd`;

/** Re-checks a stored redirect and turns it into the words of a `return`. */
export function redirectContext(r: Redirect, field: string): RedirectContext {
  if (!r || !(REDIRECT_CODES as readonly number[]).includes(r.code)) throw new ConfigRenderError(`${field}.code: must be 301, 302, 307 or 308.`, `${field}.code`);
  const preserve = bool(r.preservePath, `${field}.preservePath`);
  const url = must(checkRedirectUrl(r.url, { withQuery: !preserve }), `${field}.url`);
  // "https://new.example/" + "$request_uri" ("/a?b") would give "//a?b": the URL's trailing slash goes.
  return { code: r.code, target: preserve ? `${url.replace(/\/+$/, '')}$request_uri` : url };
}

/**
 * An access list as Nginx statements. `satisfy` decides between the address rules and the
 * password when both are present; a list with neither lets everyone in.
 */
export function accessControlLines(list: AccessList, s: ServerSettings, field: string): string[] {
  const id = must(checkId(list.id), `${field}.id`);
  if (list.satisfy !== 'all' && list.satisfy !== 'any') throw new ConfigRenderError(`${field}.satisfy: must be all or any.`, `${field}.satisfy`);
  const lines = [`satisfy ${list.satisfy};`];
  list.rules.forEach((r, i) => {
    if (r.action !== 'allow' && r.action !== 'deny') throw new ConfigRenderError(`${field}.rules.${i}.action: must be allow or deny.`, `${field}.rules.${i}.action`);
    lines.push(`${r.action} ${must(checkAccessSource(r.source), `${field}.rules.${i}.source`)};`);
  });
  if (list.users.length) {
    list.users.forEach((u, i) => must(checkHtpasswdUser(u.username), `${field}.users.${i}.username`));
    lines.push('auth_basic "Restricted";', `auth_basic_user_file ${s.managedDir}/${htpasswdPath(id)};`);
  }
  return lines;
}

export interface LocationTargets {
  /** Nginx upstream names by upstream id, for the domain's locations. */
  upstreamNames: Map<string, string>;
  accessLists: Map<string, AccessList>;
}

/**
 * Validates a domain and builds its template context. `certificate` is the domain's certificate
 * files when it has one; an ACME domain without one renders HTTP-only (`acme.pending`) so that
 * the first challenge can be answered before any certificate exists.
 */
export function buildTemplateContext(
  domain: Domain,
  upstream: { name: string; keepalive: boolean } | null,
  certificate: CertificateFiles | null,
  s: ServerSettings,
  targets: LocationTargets = { upstreamNames: new Map(), accessLists: new Map() },
): TemplateContext {
  const at = `domains.${domain.fqdn}`;
  const fqdn = must(checkHostname(domain.fqdn, { minLabels: 2 }), `${at}.fqdn`);
  if (!Array.isArray(domain.aliases) || domain.aliases.length > 100) throw new ConfigRenderError(`${at}.aliases: at most 100 aliases.`, `${at}.aliases`);
  const aliases = domain.aliases.map((a, i) => must(checkServerName(a, { wildcard: true }), `${at}.aliases.${i}`));
  const names = [...new Set([fqdn, ...aliases])];
  const directives = must(checkCustomDirectives(domain.customDirectives ?? ''), `${at}.customDirectives`);
  const ssl = domain.ssl;
  if (!ssl || !SSL_MODES.has(ssl.mode)) throw new ConfigRenderError(`${at}.ssl.mode: must be none, custom or acme.`, `${at}.ssl.mode`);
  if (ssl.mode === 'custom' && !certificate) throw new ConfigRenderError(`${at}.ssl.certificateId: the certificate for custom SSL is missing.`, `${at}.ssl.certificateId`);
  const cert = ssl.mode === 'none' ? null : certificate;
  const redirect = domain.redirect ? redirectContext(domain.redirect, `${at}.redirect`) : null;
  if (!redirect && !upstream) throw new ConfigRenderError(`${at}.upstreamId: choose an upstream or a redirect.`, `${at}.upstreamId`);
  const listLines = (id: string | null | undefined, field: string): string[] | null => {
    if (!id) return null;
    const list = targets.accessLists.get(id);
    if (!list) throw new ConfigRenderError(`${field}: the access list does not exist.`, field);
    return accessControlLines(list, s, field);
  };
  const accessControl = listLines(domain.accessListId, `${at}.accessListId`) ?? [];
  const rawLocations = domain.locations ?? [];
  if (!Array.isArray(rawLocations) || rawLocations.length > 32) throw new ConfigRenderError(`${at}.locations: at most 32 locations.`, `${at}.locations`);
  const seenPaths = new Set<string>();
  const locations: LocationContext[] = rawLocations.map((l, i) => {
    const lf = `${at}.locations.${i}`;
    const path = must(checkLocationPath(l.path), `${lf}.path`);
    if (seenPaths.has(path)) throw new ConfigRenderError(`${lf}.path: ${path} is listed twice.`, `${lf}.path`);
    seenPaths.add(path);
    const lr = l.redirect ? redirectContext(l.redirect, `${lf}.redirect`) : null;
    let name: string | null = null;
    if (!lr) {
      name = l.upstreamId ? (targets.upstreamNames.get(l.upstreamId) ?? null) : null;
      if (!name) throw new ConfigRenderError(`${lf}.upstreamId: the upstream does not exist.`, `${lf}.upstreamId`);
    }
    return {
      path,
      upstream: name,
      redirect: lr,
      websocket: bool(l.websocket, `${lf}.websocket`),
      clientMaxBodySize: must(checkSize(l.clientMaxBodySize), `${lf}.clientMaxBodySize`),
      accessControl: listLines(l.accessListId, `${lf}.accessListId`) ?? accessControl,
    };
  });
  return {
    domain: {
      id: domain.id,
      fqdn,
      aliases,
      serverNames: names.join(' '),
      websocket: bool(domain.websocket, `${at}.websocket`),
      clientMaxBodySize: must(checkSize(domain.clientMaxBodySize), `${at}.clientMaxBodySize`),
      customDirectives: directives.map(formatDirective),
      redirect,
      accessControl,
      locations,
      logs: {
        access: bool(domain.logs?.access ?? true, `${at}.logs.access`) ? must(checkFilePath(domainLogPath(s, fqdn, 'access')), `${at}.logs`) : null,
        error: bool(domain.logs?.error ?? true, `${at}.logs.error`) ? must(checkFilePath(domainLogPath(s, fqdn, 'error')), `${at}.logs`) : null,
      },
      ssl: {
        mode: ssl.mode,
        forceHttps: bool(ssl.forceHttps, `${at}.ssl.forceHttps`),
        hsts: bool(ssl.hsts, `${at}.ssl.hsts`),
        http2: bool(ssl.http2, `${at}.ssl.http2`),
        certificatePath: cert ? certFile(cert.certPath, s, `${at}.ssl.certificatePath`) : null,
        keyPath: cert ? certFile(cert.keyPath, s, `${at}.ssl.keyPath`) : null,
      },
    },
    upstream,
    listen: {
      http: s.httpPort,
      https: s.httpsPort,
      httpsRedirectPort: s.httpsPort === 443 ? '' : `:${s.httpsPort}`,
    },
    nginx: {
      version: s.version ? s.version.join('.') : null,
      http2Directive: versionAtLeast(s.version, [1, 25, 1]),
    },
    acme: { root: `${s.managedDir}/acme`, pending: ssl.mode === 'acme' && !cert },
    managedDir: s.managedDir,
  };
}
