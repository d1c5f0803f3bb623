/**
 * What a template sees. Every value here has passed the grammar: templates (built-in or an
 * admin's) only arrange validated tokens, they never receive raw database text.
 */
import { checkCustomDirectives, formatDirective } from './directives';
import { ConfigRenderError, must } from '../nginx/errors';
import { defaultNginxLayout, domainLogPath } from '../nginx/layout';
import { checkFilePath, checkHostname, checkServerName, checkSize, parseNginxVersion, versionAtLeast } from '../nginx/grammar';
import type { CertificateFiles, Domain, RenderServer, SslMode } from './types';

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
  upstream: { name: string; keepalive: boolean };
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

/**
 * Validates a domain and builds its template context. `certificate` is the domain's certificate
 * files when it has one; an ACME domain without one renders HTTP-only (`acme.pending`) so that
 * the first challenge can be answered before any certificate exists.
 */
export function buildTemplateContext(
  domain: Domain,
  upstream: { name: string; keepalive: boolean },
  certificate: CertificateFiles | null,
  s: ServerSettings,
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
  return {
    domain: {
      id: domain.id,
      fqdn,
      aliases,
      serverNames: names.join(' '),
      websocket: bool(domain.websocket, `${at}.websocket`),
      clientMaxBodySize: must(checkSize(domain.clientMaxBodySize), `${at}.clientMaxBodySize`),
      customDirectives: directives.map(formatDirective),
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
