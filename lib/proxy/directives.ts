/**
 * Custom directives (admin only): free text that is parsed into `directive args;` statements and
 * checked against an allow-list, then re-written by Gatehouse. Nothing the admin typed is copied
 * into a file verbatim, so a stray quote, brace or comment cannot change what surrounds it.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { z } from 'zod';
import { checkSize, multilineString, showChar, toLf, type Checked } from '../nginx/grammar';
import { forbiddenDirectiveReason, parseNginx } from '../nginx/syntax';

export interface CustomDirective {
  name: string;
  args: string[];
}

export const CUSTOM_DIRECTIVES_MAX_LENGTH = 8192;
const MAX_STATEMENTS = 64;

/** Variables a custom directive may interpolate; others could leak request secrets into headers. */
export const ALLOWED_VARIABLES = new Set([
  'host', 'remote_addr', 'binary_remote_addr', 'proxy_add_x_forwarded_for', 'scheme', 'https',
  'request_uri', 'uri', 'args', 'request_method', 'request_id', 'server_name', 'server_port',
  'http_upgrade', 'gh_connection_upgrade',
]);

type ArgCheck = (args: string[]) => string | null;

const HEADER = /^[A-Za-z0-9-]{1,64}$/;
const TIME = /^[0-9]{1,7}(ms|s|m|h|d)?$/;
const MIME = /^([a-z0-9][a-z0-9.+-]*\/[a-z0-9*][a-z0-9.+*-]*|\*)$/;
const NEXT_UPSTREAM = new Set(['error', 'timeout', 'invalid_header', 'http_500', 'http_502', 'http_503', 'http_504', 'http_403', 'http_404', 'http_429', 'non_idempotent', 'off']);
const GZIP_PROXIED = new Set(['off', 'expired', 'no-cache', 'no-store', 'private', 'no_last_modified', 'no_etag', 'auth', 'any']);

const count = (min: number, max: number, rest: ArgCheck): ArgCheck => (args) =>
  args.length < min || args.length > max
    ? `takes ${min === max ? min : `${min} to ${max === Infinity ? 'any number of' : max}`} argument${max === 1 ? '' : 's'}`
    : rest(args);
const each = (test: (a: string) => boolean, what: string): ArgCheck => (args) => {
  const bad = args.find((a) => !test(a));
  return bad === undefined ? null : `expects ${what}, not "${bad}"`;
};
const oneOf = (...values: string[]) => each((a) => values.includes(a), values.join(' or '));
const time = count(1, 1, each((a) => TIME.test(a), 'a time such as 30s or 2m'));
const onOff = count(1, 1, oneOf('on', 'off'));
const size = count(1, 1, each((a) => checkSize(a).ok, 'a size such as 16k or 1m'));
const header: ArgCheck = (args) => (HEADER.test(args[0]) ? null : `expects a header name, not "${args[0]}"`);
const value: ArgCheck = (args) => (args.every((a) => a.length <= 1024) ? null : 'has a value longer than 1024 characters');
const all = (...checks: ArgCheck[]): ArgCheck => (args) => checks.reduce<string | null>((e, c) => e ?? c(args), null);
const address = (a: string) => {
  if (a === 'all') return true;
  const [ip, bits, extra] = a.split('/');
  if (extra !== undefined || (bits !== undefined && !/^[0-9]{1,3}$/.test(bits))) return false;
  if (isIPv4(ip)) return bits === undefined || Number(bits) <= 32;
  return isIPv6(ip) && (bits === undefined || Number(bits) <= 128);
};

const ALLOWED: Record<string, ArgCheck> = {
  proxy_set_header: count(2, 2, all(header, value)),
  add_header: count(2, 3, all(header, value, (a) => (a.length === 3 && a[2] !== 'always' ? 'takes "always" as its third argument' : null))),
  proxy_hide_header: count(1, 1, header),
  proxy_pass_header: count(1, 1, header),
  proxy_read_timeout: time,
  proxy_connect_timeout: time,
  proxy_send_timeout: time,
  client_body_timeout: time,
  send_timeout: time,
  keepalive_timeout: count(1, 2, each((a) => TIME.test(a), 'a time such as 75s')),
  proxy_next_upstream_timeout: time,
  proxy_next_upstream_tries: count(1, 1, each((a) => /^[0-9]{1,3}$/.test(a), 'a number')),
  proxy_next_upstream: count(1, 12, each((a) => NEXT_UPSTREAM.has(a), 'error, timeout, http_502 and the like')),
  proxy_buffering: onOff,
  proxy_request_buffering: onOff,
  proxy_intercept_errors: onOff,
  proxy_redirect: count(1, 1, oneOf('off', 'default')),
  proxy_buffer_size: size,
  proxy_busy_buffers_size: size,
  proxy_max_temp_file_size: size,
  client_body_buffer_size: size,
  proxy_buffers: count(2, 2, (a) => (/^[0-9]{1,4}$/.test(a[0]) && checkSize(a[1]).ok ? null : 'expects a number and a size, e.g. 8 16k')),
  gzip: onOff,
  gzip_vary: onOff,
  gzip_types: count(1, 32, each((a) => MIME.test(a), 'MIME types such as text/css')),
  gzip_min_length: count(1, 1, each((a) => /^[0-9]{1,9}[km]?$/.test(a), 'a length such as 256 or 1k')),
  gzip_comp_level: count(1, 1, each((a) => /^[1-9]$/.test(a), 'a level from 1 to 9')),
  gzip_proxied: count(1, 9, each((a) => GZIP_PROXIED.has(a), 'off, expired, no-cache, any and the like')),
  expires: count(1, 1, each((a) => /^(off|epoch|max|-?[0-9]{1,9}(ms|s|m|h|d|w|M|y)?)$/.test(a), 'off, epoch, max or a time such as 7d')),
  access_log: count(1, 1, oneOf('off')),
  allow: count(1, 1, each(address, 'an IP address, a CIDR range or all')),
  deny: count(1, 1, each(address, 'an IP address, a CIDR range or all')),
  // The zones must already exist in nginx.conf; if not, `nginx -t` fails and the deploy rolls back.
  limit_req: count(1, 3, (a) =>
    /^zone=[A-Za-z0-9_]{1,64}$/.test(a[0]) && a.slice(1).every((x) => /^(burst=[0-9]{1,6}|nodelay|delay=[0-9]{1,6})$/.test(x))
      ? null
      : 'expects zone=NAME [burst=N] [nodelay|delay=N]'),
  limit_conn: count(2, 2, (a) => (/^[A-Za-z0-9_]{1,64}$/.test(a[0]) && /^[0-9]{1,6}$/.test(a[1]) ? null : 'expects a zone name and a number')),
};

export const ALLOWED_DIRECTIVES: readonly string[] = Object.keys(ALLOWED).sort();

function notAllowedReason(name: string): string {
  const code = forbiddenDirectiveReason(name);
  if (code) return `it ${code}`;
  if (name === 'root' || name === 'alias' || name === 'try_files' || name === 'autoindex') return 'it serves files from the server\'s disk';
  if (name.endsWith('_pass')) return 'the domain\'s upstream decides where requests go';
  if (name.startsWith('ssl_') || name === 'listen' || name === 'server_name' || name === 'http2') return 'Gatehouse sets it from the domain\'s settings';
  return `it is not on the allow-list (${ALLOWED_DIRECTIVES.join(', ')})`;
}

function checkVariables(arg: string): string | null {
  for (const m of arg.matchAll(/\$([A-Za-z0-9_]*)/g)) {
    if (!m[1]) return 'uses "$" without a plain variable name (write $host, not ${host})';
    if (!ALLOWED_VARIABLES.has(m[1])) return `uses $${m[1]}, which is not allowed (allowed: ${[...ALLOWED_VARIABLES].map((v) => `$${v}`).join(', ')})`;
  }
  return null;
}

/**
 * Parses and checks custom directives. Accepts CRLF line ends (browsers send textareas that way);
 * anything else outside printable ASCII, any block, unknown directive or variable is refused with
 * the line it is on.
 */
export function checkCustomDirectives(input: string): Checked<CustomDirective[]> {
  if (typeof input !== 'string') return { ok: false, message: 'Custom directives must be text.' };
  if (input.length > CUSTOM_DIRECTIVES_MAX_LENGTH) return { ok: false, message: `Custom directives are at most ${CUSTOM_DIRECTIVES_MAX_LENGTH} characters.` };
  const text = toLf(input);
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    for (const ch of lines[n]) {
      if (ch !== '\t' && (ch < ' ' || ch > '~')) return { ok: false, message: `Line ${n + 1}: only printable ASCII is allowed; found ${showChar(ch)}.` };
    }
  }
  const parsed = parseNginx(text, { strict: true });
  if (!parsed.ok) return { ok: false, message: parsed.message };
  if (parsed.statements.length > MAX_STATEMENTS) return { ok: false, message: `At most ${MAX_STATEMENTS} custom directives.` };
  const out: CustomDirective[] = [];
  for (const s of parsed.statements) {
    const where = `Line ${s.line}: "${s.name}"`;
    if (s.block) return { ok: false, message: `${where} opens a block; blocks ({ ... }) are not allowed in custom directives.` };
    // hasOwn, not ALLOWED[name]: "constructor" or "__proto__" must not find Object's members.
    if (!Object.hasOwn(ALLOWED, s.name)) return { ok: false, message: `${where} is not allowed because ${notAllowedReason(s.name)}.` };
    for (const arg of s.args) {
      if (arg.includes('"')) return { ok: false, message: `${where} has a double quote inside an argument.` };
      const bad = checkVariables(arg);
      if (bad) return { ok: false, message: `${where} ${bad}.` };
    }
    const problem = ALLOWED[s.name](s.args);
    if (problem) return { ok: false, message: `${where} ${problem}.` };
    out.push({ name: s.name, args: s.args });
  }
  return { ok: true, value: out };
}

const BARE = /^[A-Za-z0-9._~:/=,+*@%?&!$-]+$/;

/** Writes one checked directive back as Nginx text, quoting any argument that is not a plain word. */
export function formatDirective(d: CustomDirective): string {
  return [d.name, ...d.args.map((a) => (BARE.test(a) ? a : `"${a}"`))].join(' ') + ';';
}

/** The schema keeps the admin's text as typed; rendering re-parses and re-writes it. */
export const customDirectivesSchema = multilineString({ error: 'Custom directives must be text.' })
  .max(CUSTOM_DIRECTIVES_MAX_LENGTH, `Custom directives are at most ${CUSTOM_DIRECTIVES_MAX_LENGTH} characters.`)
  .superRefine((value, ctx) => {
    const r = checkCustomDirectives(value);
    if (!r.ok) ctx.addIssue({ code: 'custom', message: r.message, input: value });
  });
