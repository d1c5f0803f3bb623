import { eq, inArray } from 'drizzle-orm';
import { atomically, getDb } from '../db';
import { config } from '../config';
import type { Actor } from '../access/actor';
import { requireAdmin } from '../access/rbac';
import { ValidationError, parseInput } from '../errors';
import { recordAudit } from '../audit';
import { publish } from '../events/bus';
import { open, seal } from '../crypto/secret-box';
import { settingsPatch, type SettingsDto } from './schemas';

type Section = 'telegram' | 'dns' | 'monitoring' | 'retention' | 'acme' | 'security';
const SECTIONS: Section[] = ['telegram', 'dns', 'monitoring', 'retention', 'acme', 'security'];

const DEFAULTS = {
  telegram: { chatId: null as string | null, threadId: null as number | null, enabled: true },
  monitoring: { intervalSeconds: 60, downAfterFailures: 3, upAfterSuccesses: 2, dnsIntervalMinutes: 60 },
  retention: { rawHours: 24, fiveMinuteDays: 7, hourlyDays: 400, dnsCheckDays: 30, taskDays: 30 },
  security: { require2fa: false },
};

/** Which setting each environment variable pins (CONTRACT.md: env wins and is shown read-only). */
const ENV_KEYS: Record<string, string> = {
  TELEGRAM_BOT_TOKEN: 'telegram.botToken',
  TELEGRAM_CHAT_ID: 'telegram.chatId',
  TELEGRAM_THREAD_ID: 'telegram.threadId',
  DNS_SERVERS: 'dns.servers',
  ACME_DIRECTORY_URL: 'acme.directoryUrl',
  ACME_EMAIL: 'acme.email',
};

/** Effective settings with secrets opened: for jobs inside lib only, never for a response. */
export interface EffectiveSettings {
  telegram: { botToken: string | null; chatId: string | null; threadId: number | null; enabled: boolean; apiUrl: string };
  dns: { servers: string[] };
  monitoring: typeof DEFAULTS.monitoring;
  retention: typeof DEFAULTS.retention;
  acme: { directoryUrl: string; email: string | null; accountKeyPem: string | null };
  security: typeof DEFAULTS.security;
  readOnly: string[];
}

async function loadRows() {
  const { db, t } = getDb();
  const rows = await db.select().from(t.settings).where(inArray(t.settings.key, SECTIONS.map((s) => `settings.${s}`)));
  const bySection = new Map(rows.map((r) => [r.key.slice('settings.'.length), r]));
  const value = (s: Section) => (bySection.get(s)?.value ?? {}) as Record<string, unknown>;
  const secret = (s: Section) => {
    const sealed = bySection.get(s)?.secret;
    return sealed ? open(sealed) : null;
  };
  return { value, secret };
}

const readOnlyKeys = () => Object.entries(ENV_KEYS).filter(([env]) => config().fromEnv.has(env)).map(([, k]) => k);

export async function getEffectiveSettings(): Promise<EffectiveSettings> {
  const cfg = config();
  const { value, secret } = await loadRows();
  const env = (name: string) => cfg.fromEnv.has(name);
  const tg = { ...DEFAULTS.telegram, ...value('telegram') } as typeof DEFAULTS.telegram;
  const dns = value('dns') as { servers?: string[] };
  const acme = value('acme') as { directoryUrl?: string; email?: string | null };
  const acmeSecret = secret('acme');
  return {
    telegram: {
      botToken: env('TELEGRAM_BOT_TOKEN') ? cfg.TELEGRAM_BOT_TOKEN! : (secret('telegram') ?? null),
      chatId: env('TELEGRAM_CHAT_ID') ? cfg.TELEGRAM_CHAT_ID! : tg.chatId,
      threadId: env('TELEGRAM_THREAD_ID') ? cfg.TELEGRAM_THREAD_ID! : tg.threadId,
      enabled: tg.enabled,
      apiUrl: cfg.TELEGRAM_API_URL,
    },
    dns: { servers: env('DNS_SERVERS') ? cfg.DNS_SERVERS : (dns.servers ?? cfg.DNS_SERVERS) },
    monitoring: { ...DEFAULTS.monitoring, ...(value('monitoring') as object) },
    retention: { ...DEFAULTS.retention, ...(value('retention') as object) },
    acme: {
      directoryUrl: env('ACME_DIRECTORY_URL') ? cfg.ACME_DIRECTORY_URL : (acme.directoryUrl ?? cfg.ACME_DIRECTORY_URL),
      email: env('ACME_EMAIL') ? cfg.ACME_EMAIL! : (acme.email ?? cfg.ACME_EMAIL ?? null),
      accountKeyPem: acmeSecret,
    },
    security: { ...DEFAULTS.security, ...(value('security') as object) },
    readOnly: readOnlyKeys(),
  };
}

/** Just the security part (read on every session request, so one row and no secrets opened). */
export async function getSecuritySettings(): Promise<EffectiveSettings['security']> {
  const { db, t } = getDb();
  const [row] = await db.select({ value: t.settings.value }).from(t.settings).where(eq(t.settings.key, 'settings.security')).limit(1);
  return { ...DEFAULTS.security, ...((row?.value ?? {}) as object) };
}

/** The settings as an admin sees them: secrets replaced by whether they are set. */
export async function getSettings(actor: Actor): Promise<SettingsDto> {
  requireAdmin(actor);
  const e = await getEffectiveSettings();
  return {
    telegram: { botToken: null, tokenSet: Boolean(e.telegram.botToken), chatId: e.telegram.chatId, threadId: e.telegram.threadId, enabled: e.telegram.enabled },
    dns: e.dns,
    monitoring: e.monitoring,
    retention: e.retention,
    acme: { directoryUrl: e.acme.directoryUrl, email: e.acme.email },
    security: e.security,
    readOnly: e.readOnly,
  };
}

export interface UpdateSettingsOptions {
  /**
   * The console's settings forms. A field set by an environment variable is disabled there, so
   * its key is left out of the patch (the API answers 422 instead); the bot token field is
   * write-only and posts empty unless a new token is typed, so empty keeps the saved token
   * (null still clears it).
   */
  fromForm?: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A form's patch as the API would take it: pinned keys and an empty bot token left out. */
function formPatch(input: unknown, locked: Set<string>): unknown {
  if (!isRecord(input)) return input;
  return Object.fromEntries(
    Object.entries(input).map(([section, part]) => {
      if (!isRecord(part)) return [section, part];
      const kept = Object.entries(part).filter(([key, v]) => {
        if (locked.has(`${section}.${key}`)) return false;
        return !(section === 'telegram' && key === 'botToken' && (v === '' || v === undefined));
      });
      return [section, Object.fromEntries(kept)];
    }),
  );
}

/** Changes any part of the settings; a value pinned by an environment variable is a 422. */
export async function updateSettings(actor: Actor, input: unknown, options: UpdateSettingsOptions = {}): Promise<SettingsDto> {
  requireAdmin(actor);
  const locked = new Set(readOnlyKeys());
  const patch = parseInput(settingsPatch, options.fromForm ? formPatch(input, locked) : input);
  const fields: Record<string, string[]> = {};
  for (const section of SECTIONS) {
    for (const key of Object.keys(patch[section] ?? {})) {
      const name = `${section}.${key}`;
      const envName = Object.entries(ENV_KEYS).find(([, k]) => k === name)?.[0];
      if (locked.has(name)) fields[name] = [`Set by the environment variable ${envName}; change it there.`];
    }
  }
  if (Object.keys(fields).length) throw new ValidationError(fields);
  await atomically(async (db) => {
    const { t } = getDb();
    const { value } = await loadRows();
    for (const section of SECTIONS) {
      const part = patch[section] as Record<string, unknown> | undefined;
      if (!part) continue;
      const { botToken, ...rest } = part as { botToken?: string | null };
      const merged = { ...value(section), ...rest };
      const secretChange = section === 'telegram' && botToken !== undefined ? { secret: botToken ? seal(botToken) : null } : {};
      const now = new Date();
      await db
        .insert(t.settings)
        .values({ key: `settings.${section}`, value: merged, updatedAt: now, ...secretChange })
        .onConflictDoUpdate({ target: t.settings.key, set: { value: merged, updatedAt: now, ...secretChange } });
    }
    const audited = JSON.parse(JSON.stringify(patch, (k, v) => (k === 'botToken' ? (v ? '(set)' : '(cleared)') : v)));
    await recordAudit(actor, 'settings.update', { type: 'settings' }, audited);
    await publish({ type: 'settings.updated', data: { sections: Object.keys(patch) } });
  });
  return getSettings(actor);
}

/** Stores the ACME account key (sealed); lib/certs creates it on first use. */
export async function saveAcmeAccountKey(pem: string): Promise<void> {
  const { db, t } = getDb();
  const now = new Date();
  const { value } = await loadRows();
  await db
    .insert(t.settings)
    .values({ key: 'settings.acme', value: value('acme'), secret: seal(pem), updatedAt: now })
    .onConflictDoUpdate({ target: t.settings.key, set: { secret: seal(pem), updatedAt: now } });
}
