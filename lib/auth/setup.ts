import crypto from 'node:crypto';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { atomically, getDb, newId } from '../db';
import { config } from '../config';
import { ConflictError, ValidationError, parseInput } from '../errors';
import { recordAudit } from '../audit';
import { countUsers } from '../users/service';
import { hashPassword, passwordSchema } from '../users/password';
import type { Actor } from '../access/actor';

/**
 * First-run: while no user exists, /setup creates the first admin — but only with the one-time
 * code printed at start-up, so nobody else can claim a fresh install. The code's hash lives in
 * settings, so any instance can check it.
 */
const SETUP_KEY = 'setup.codeHash';
const hash = (code: string) => crypto.createHash('sha256').update(code.trim().toUpperCase()).digest('hex');

export const setupInput = z.strictObject({
  code: z.string().trim().min(1, 'Enter the setup code printed by the server.'),
  email: z.email('Enter a valid e-mail address.').max(254).transform((e) => e.toLowerCase()),
  name: z.string().trim().max(100).default(''),
  password: passwordSchema,
});

export const needsSetup = async () => (await countUsers()) === 0;

/** Called at start-up: creates the admin from ADMIN_EMAIL/ADMIN_PASSWORD, or issues a setup code. */
export async function bootstrap(): Promise<{ setupCode?: string; createdAdmin?: string }> {
  if (!(await needsSetup())) return {};
  const cfg = config();
  if (cfg.ADMIN_EMAIL && cfg.ADMIN_PASSWORD) {
    const passwordHash = await hashPassword(cfg.ADMIN_PASSWORD);
    await atomically(async (db) => {
      const { t } = getDb();
      if (!(await needsSetup())) return;
      const now = new Date();
      const id = newId();
    // eslint-disable-next-line no-restricted-syntax -- first admin and setup code: to move behind lib/users and lib/settings/store (issue 12 still open)
      await db.insert(t.users).values({ id, email: cfg.ADMIN_EMAIL!.toLowerCase(), name: 'Admin', role: 'admin', passwordHash, createdAt: now, updatedAt: now });
      await recordAudit(systemOf('env'), 'user.bootstrap', { type: 'user', id }, { email: cfg.ADMIN_EMAIL });
    });
    return { createdAdmin: cfg.ADMIN_EMAIL };
  }
  const raw = crypto.randomBytes(6).toString('hex').toUpperCase();
  const code = `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8)}`;
  const { db, t } = getDb();
  const now = new Date();
  await db
    // eslint-disable-next-line no-restricted-syntax -- first admin and setup code: to move behind lib/users and lib/settings/store (issue 12 still open)
    .insert(t.settings)
    .values({ key: SETUP_KEY, value: hash(code), updatedAt: now })
    .onConflictDoUpdate({ target: t.settings.key, set: { value: hash(code), updatedAt: now } });
  return { setupCode: code };
}

const systemOf = (via: string): Actor => ({ id: 'system', email: `system:${via}`, name: 'Gatehouse', role: 'admin', via: 'system' });

/** Creates the first admin with the setup code. */
export async function completeSetup(input: unknown, address: string | null) {
  const data = parseInput(setupInput, input);
  const passwordHash = await hashPassword(data.password);
  return atomically(async (db) => {
    const { t } = getDb();
    if (!(await needsSetup())) throw new ConflictError('already_set_up', 'Gatehouse is already set up: sign in instead.');
    const [stored] = await db.select().from(t.settings).where(eq(t.settings.key, SETUP_KEY)).limit(1);
    const given = Buffer.from(hash(data.code));
    const expected = Buffer.from(String(stored?.value ?? ''));
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
      throw ValidationError.field('code', 'This setup code is not right. Use the one the server printed at start-up.');
    }
    const now = new Date();
    const id = newId();
    // eslint-disable-next-line no-restricted-syntax -- first admin and setup code: to move behind lib/users and lib/settings/store (issue 12 still open)
    await db.insert(t.users).values({ id, email: data.email, name: data.name, role: 'admin', passwordHash, createdAt: now, updatedAt: now });
    // eslint-disable-next-line no-restricted-syntax -- first admin and setup code: to move behind lib/users and lib/settings/store (issue 12 still open)
    await db.delete(t.settings).where(eq(t.settings.key, SETUP_KEY));
    await recordAudit({ ...systemOf('setup'), address }, 'user.setup', { type: 'user', id }, { email: data.email });
    return { id, email: data.email };
  });
}
