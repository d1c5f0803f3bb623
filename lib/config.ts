import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import crypto from 'node:crypto';
import { z } from 'zod';
import { parseCidrList, type CidrRange } from './net/cidr';

/**
 * Environment, parsed once with zod. An invalid value stops start-up with one line naming the
 * variable (ConfigError.message); secrets that are unset are generated into DATA_DIR (0600).
 */
const groupList = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
  .optional();

const hostPort = /^(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]|[0-9a-fA-F:]+)(?::\d{1,5})?$/;

const envSchema = z.object({
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^(file:|postgres:\/\/|postgresql:\/\/)/, 'must start with file:, postgres:// or postgresql://')
    .optional(),
  PORT: z.coerce.number({ error: 'must be a port number' }).int('must be a port number').min(1, 'must be 1-65535').max(65535, 'must be 1-65535').default(3000),
  AUTH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  ENCRYPTION_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded')
    .optional(),
  ADMIN_EMAIL: z.email('must be an e-mail address').optional(),
  ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').optional(),
  TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[\w-]+$/, 'must look like 123456:ABC-def').optional(),
  TELEGRAM_CHAT_ID: z.string().regex(/^-?\d+$|^@\w+$/, 'must be a numeric chat id or @channel').optional(),
  TELEGRAM_THREAD_ID: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').positive('must be positive').optional(),
  TELEGRAM_API_URL: z.url('must be a URL').default('https://api.telegram.org'),
  DNS_SERVERS: z
    .string()
    .default('8.8.8.8,1.1.1.1')
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .refine((l) => l.length > 0 && l.every((s) => hostPort.test(s)), 'must be ip or ip:port, comma-separated'),
  ACME_DIRECTORY_URL: z.url('must be a URL').default('https://acme-v02.api.letsencrypt.org/directory'),
  ACME_EMAIL: z.email('must be an e-mail address').optional(),
  SCHEDULER: z.enum(['on', 'off']).default('on'),
  SSH_POOL_MAX_AGE_SECONDS: z.coerce.number({ error: 'must be a number of seconds' }).int('must be a whole number of seconds').positive('must be at least 1').default(600),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  TRUSTED_PROXIES: z
    .string()
    .default('127.0.0.1/8,::1')
    .transform((v, ctx): CidrRange[] => {
      const r = parseCidrList(v);
      if (r.ok) return r.ranges;
      ctx.addIssue({ code: 'custom', message: `"${r.invalid.slice(0, 60)}" is not an IP address or CIDR range (comma-separated, e.g. 127.0.0.1/8,::1,10.0.0.0/8)` });
      return z.NEVER;
    }),
  SSH_CONNECT_TIMEOUT_SECONDS: z.coerce.number({ error: 'must be a number of seconds' }).positive('must be more than 0').max(300, 'must be at most 300').default(20),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  INSTANCE_ID: z
    .string()
    .max(64, 'must be at most 64 characters')
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must be letters, digits, ".", "_", ":" or "-"')
    .optional(),
  /** next-auth's own: the public base URL (the console's origin; the OIDC redirect URI's base). */
  AUTH_URL: z.url('must be a URL such as https://gatehouse.example.com').optional(),
  // Single sign-on (CONTRACT.md "Second wave" → "Identity"): on when issuer, client id and secret are all set.
  OIDC_ISSUER: z.url('must be the provider\'s issuer URL').optional(),
  OIDC_CLIENT_ID: z.string().max(500).optional(),
  OIDC_CLIENT_SECRET: z.string().max(2000).optional(),
  OIDC_NAME: z.string().trim().min(1).max(60, 'must be at most 60 characters').default('Single sign-on'),
  OIDC_GROUPS_CLAIM: z.string().trim().min(1).max(200).default('groups'),
  OIDC_ADMIN_GROUPS: groupList,
  OIDC_USER_GROUPS: groupList,
  PASSWORD_SIGN_IN: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
});

export type Env = z.infer<typeof envSchema>;
export interface Config extends Omit<Env, 'DATABASE_URL' | 'AUTH_SECRET' | 'ENCRYPTION_KEY' | 'INSTANCE_ID'> {
  DATABASE_URL: string;
  /** This process's name among the instances (INSTANCE_ID, else generated once per process). */
  INSTANCE_ID: string;
  AUTH_SECRET: string;
  ENCRYPTION_KEY: string;
  dialect: 'sqlite' | 'postgres';
  /** Names of variables that were set in the environment (Settings shows them read-only). */
  fromEnv: Set<string>;
}

export class ConfigError extends Error {}

const emptyToUndefined = (env: Record<string, string | undefined>) =>
  Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));

/** Parses an environment into a Config; throws ConfigError with one line naming the variable. */
export function parseConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(emptyToUndefined(env));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0] ?? 'environment');
    throw new ConfigError(`Invalid ${name}: ${issue.message}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  const databaseUrl = e.DATABASE_URL ?? `file:${path.join(dataDir, 'gatehouse.db')}`;
  return {
    ...e,
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    dialect: databaseUrl.startsWith('file:') ? 'sqlite' : 'postgres',
    INSTANCE_ID: e.INSTANCE_ID ?? generatedInstanceId(),
    AUTH_SECRET: e.AUTH_SECRET ?? generatedSecret(dataDir, 'auth-secret', () => crypto.randomBytes(48).toString('base64url'), 'AUTH_SECRET'),
    ENCRYPTION_KEY: e.ENCRYPTION_KEY ?? generatedSecret(dataDir, 'encryption-key', () => crypto.randomBytes(32).toString('base64'), 'ENCRYPTION_KEY'),
    fromEnv: new Set(Object.keys(emptyToUndefined(env))),
  };
}

/**
 * One id per process, kept on globalThis: Next.js bundles instrumentation and route handlers
 * separately, and each module copy must name the same instance.
 */
function generatedInstanceId(): string {
  const g = globalThis as unknown as { __gatehouseInstanceId?: string };
  g.__gatehouseInstanceId ??= `${os.hostname().replace(/[^A-Za-z0-9._-]/g, '').slice(0, 40) || 'gatehouse'}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  return g.__gatehouseInstanceId;
}

function generatedSecret(dataDir: string, file: string, make: () => string, name: string): string {
  const p = path.join(dataDir, file);
  try {
    return fs.readFileSync(p, 'utf8').trim();
  } catch {
    fs.mkdirSync(dataDir, { recursive: true });
    const value = make();
    try {
      // 'wx' so two instances starting together agree on one value.
      fs.writeFileSync(p, value + '\n', { mode: 0o600, flag: 'wx' });
      console.warn(`[gatehouse] ${name} is not set: generated one into ${p} (keep this file, or set ${name})`);
      return value;
    } catch {
      return fs.readFileSync(p, 'utf8').trim();
    }
  }
}

/** Single sign-on settings, or null when OIDC is off (any of issuer, client id, secret unset). */
export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  name: string;
  groupsClaim: string;
  adminGroups: string[];
  userGroups: string[];
}

export function oidcConfig(c: Config = config()): OidcConfig | null {
  if (!c.OIDC_ISSUER || !c.OIDC_CLIENT_ID || !c.OIDC_CLIENT_SECRET) return null;
  return {
    issuer: c.OIDC_ISSUER,
    clientId: c.OIDC_CLIENT_ID,
    clientSecret: c.OIDC_CLIENT_SECRET,
    name: c.OIDC_NAME,
    groupsClaim: c.OIDC_GROUPS_CLAIM,
    adminGroups: c.OIDC_ADMIN_GROUPS ?? [],
    userGroups: c.OIDC_USER_GROUPS ?? [],
  };
}

/** PASSWORD_SIGN_IN=off leaves single sign-on only (API tokens and the CLI keep working). */
export const passwordSignInEnabled = (c: Config = config()) => c.PASSWORD_SIGN_IN === 'on';

let cached: Config | undefined;
/** The process configuration, parsed on first use. */
export function config(): Config {
  cached ??= parseConfig();
  return cached;
}

/** Tests point the process at another environment. */
export function resetConfig(env?: Record<string, string | undefined>): Config {
  cached = env ? parseConfig(env) : undefined;
  return cached ?? config();
}
