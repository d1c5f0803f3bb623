import crypto from 'node:crypto';
import { z } from 'zod';
import { atomically } from '../db';
import { config } from '../config';
import { ConflictError, ValidationError, parseInput } from '../errors';
import { recordAudit } from '../audit';
import { deleteInternal, readInternal, writeInternal } from '../settings/store';
import { countUsers, createFirstAdmin } from '../users/service';
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
    await atomically(async () => {
      const admin = await createFirstAdmin({ email: cfg.ADMIN_EMAIL!.toLowerCase(), name: 'Admin', passwordHash });
      if (admin) await recordAudit(systemOf('env'), 'user.bootstrap', { type: 'user', id: admin.id }, { email: cfg.ADMIN_EMAIL });
    });
    return { createdAdmin: cfg.ADMIN_EMAIL };
  }
  const raw = crypto.randomBytes(6).toString('hex').toUpperCase();
  const code = `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8)}`;
  await writeInternal(SETUP_KEY, hash(code));
  return { setupCode: code };
}

const systemOf = (via: string): Actor => ({ id: 'system', email: `system:${via}`, name: 'Gatehouse', role: 'admin', via: 'system' });

/** Creates the first admin with the setup code. */
export async function completeSetup(input: unknown, address: string | null) {
  const data = parseInput(setupInput, input);
  const passwordHash = await hashPassword(data.password);
  const alreadySetUp = () => new ConflictError('already_set_up', 'Gatehouse is already set up: sign in instead.');
  return atomically(async () => {
    if (!(await needsSetup())) throw alreadySetUp();
    const given = Buffer.from(hash(data.code));
    const expected = Buffer.from(String((await readInternal<string>(SETUP_KEY)) ?? ''));
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
      throw ValidationError.field('code', 'This setup code is not right. Use the one the server printed at start-up.');
    }
    const admin = await createFirstAdmin({ email: data.email, name: data.name, passwordHash });
    if (!admin) throw alreadySetUp();
    await deleteInternal(SETUP_KEY);
    await recordAudit({ ...systemOf('setup'), address }, 'user.setup', { type: 'user', id: admin.id }, { email: data.email });
    return { id: admin.id, email: data.email };
  });
}
