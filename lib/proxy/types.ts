/**
 * The shapes rendering works on: what lib/proxy reads from the database for one server. They
 * mirror CONTRACT.md (Upstream, Domain, templates); extra columns on the records are ignored.
 */
export type BalanceMethod = 'round_robin' | 'least_conn' | 'ip_hash';
export type SslMode = 'none' | 'custom' | 'acme';
export type TemplateKind = 'http' | 'ssl';

export interface UpstreamTarget {
  host: string;
  port: number;
  weight: number;
  backup: boolean;
  maxFails: number;
  failTimeoutSeconds: number;
}

export interface HealthCheck {
  type: 'none' | 'http' | 'tcp';
  path?: string;
  intervalSeconds?: number;
}

export interface Upstream {
  id: string;
  name: string;
  method: BalanceMethod;
  keepalive?: number | null;
  healthCheck?: HealthCheck | null;
  targets: UpstreamTarget[];
}

export interface DomainSsl {
  mode: SslMode;
  certificateId: string | null;
  forceHttps: boolean;
  hsts: boolean;
  http2: boolean;
}

export type RedirectCode = 301 | 302 | 307 | 308;

export interface Redirect {
  url: string;
  code: RedirectCode;
  /** Append the request's path and query (`$request_uri`) to the URL. */
  preservePath: boolean;
}

/** An extra path prefix of a domain, routed to its own pool or redirected. */
export interface DomainLocation {
  path: string;
  upstreamId: string | null;
  redirect: Redirect | null;
  websocket: boolean;
  clientMaxBodySize: string;
  /** Null: the domain's own access list applies here too. */
  accessListId: string | null;
}

export interface Domain {
  id: string;
  fqdn: string;
  aliases: string[];
  serverId: string;
  /** Null only when `redirect` is set. */
  upstreamId: string | null;
  redirect?: Redirect | null;
  accessListId?: string | null;
  locations?: DomainLocation[];
  templateId: string | null;
  ssl: DomainSsl;
  websocket: boolean;
  clientMaxBodySize: string;
  customDirectives: string;
  /** Per-domain log files (absent: both on). */
  logs?: { access: boolean; error: boolean };
  nameservers?: { expected: string[]; pattern: string | null };
}

export interface Template {
  id: string;
  name: string;
  kind: TemplateKind;
  body: string;
  /** Built-in rows always render with the body shipped in code, so upgrades reach them. */
  builtin?: boolean;
}

/** Where a certificate's files live on the target server: absolute, or relative to the managed dir. */
export interface CertificateFiles {
  id: string;
  certPath: string;
  keyPath: string;
}

export interface RenderServer {
  id: string;
  /** The directory Gatehouse owns on the server, e.g. /etc/nginx/gatehouse. */
  managedDir: string;
  /** `1.22.1` or `nginx/1.22.1`; unknown means the syntax every supported version accepts. */
  nginxVersion?: string | null;
  httpPort?: number;
  httpsPort?: number;
  /** Per-domain log files go here (default /var/log/nginx). */
  logDir?: string;
}

/** An access list as rendering needs it: password hashes only (SHA-512 crypt), never passwords. */
export interface AccessList {
  id: string;
  name: string;
  satisfy: 'all' | 'any';
  users: { username: string; hash: string }[];
  rules: { action: 'allow' | 'deny'; source: string }[];
}

export interface RenderInput {
  server: RenderServer;
  upstreams: Upstream[];
  /** The access lists the server's domains and locations use. */
  accessLists?: AccessList[];
  domains: Domain[];
  templates: Template[];
  certificates: CertificateFiles[];
  /**
   * Addresses of upstream target host names, resolved before rendering (see resolve-targets.ts),
   * keyed by the ASCII host name. A name missing here or mapped to [] is treated as unresolvable.
   */
  resolved?: Record<string, string[]>;
}

export interface RenderedFile {
  /** Relative to the managed directory: `upstreams.conf`, `domains/<fqdn>.conf`. */
  path: string;
  content: string;
  sha256: string;
}
