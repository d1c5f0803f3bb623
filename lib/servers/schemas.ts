import { z } from 'zod';
import { PLAIN_LINE, PLAIN_LINE_MESSAGE } from '../text';
import { checkTargetHost, multilineString, portSchema, targetHostSchema } from '../nginx/grammar';
import { hostKeyFingerprintSchema, normalizeFingerprint } from '../ssh/host-key';
import { nginxLayoutInput, nginxLayoutSchema } from './layout';
import { tagQuery, tagsInput } from './tags';

const name = z
  .string({ error: 'Enter a name.' })
  .trim()
  .min(1, 'Enter a name.')
  .max(100, 'Use at most 100 characters.')
  .regex(PLAIN_LINE, PLAIN_LINE_MESSAGE);

const sshUser = z
  .string({ error: 'Enter the SSH user.' })
  .trim()
  .regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/, 'Use a Unix user name: letters, digits, "_", "." and "-", at most 32 characters.');

const secret = (what: string, max: number) =>
  z.string({ error: `Enter the ${what}.` }).min(1, `Enter the ${what}.`).max(max, `The ${what} is longer than ${max} characters.`);

/** An OpenSSH or PEM private key pasted into a textarea: its line ends are stored as LF. */
const privateKey = multilineString({ error: 'Enter the private key.' }).min(1, 'Enter the private key.').max(16_384, 'The private key is longer than 16384 characters.');

const fingerprint = z
  .string({ error: 'Enter a SHA256 fingerprint.' })
  .transform((s, ctx) => normalizeFingerprint(s) ?? (ctx.addIssue({ code: 'custom', message: 'Write it as ssh-keygen -lf prints it: SHA256: followed by 43 characters.' }), z.NEVER));

/**
 * A Glances base URL: http(s), a valid host, an optional path prefix, no credentials (they have
 * their own fields, so they are stored encrypted), no query. Stored without a trailing slash.
 */
export const glancesUrlSchema = z
  .string({ error: 'Enter a URL.' })
  .trim()
  .max(500, 'At most 500 characters.')
  .transform((s, ctx) => {
    const bad = (message: string) => (ctx.addIssue({ code: 'custom', message }), z.NEVER);
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      return bad('Enter a URL such as http://10.0.0.5:61208.');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return bad('The URL must start with http:// or https://.');
    if (url.username || url.password) return bad('Put the user name and password in their own fields, not in the URL.');
    if (url.search || url.hash) return bad('The URL cannot have a query or fragment; a path prefix is fine.');
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const checked = checkTargetHost(host);
    if (!checked.ok) return bad(checked.message);
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
  });

const glancesInput = z.strictObject({
  url: z.union([z.literal('').transform(() => null), z.null(), glancesUrlSchema]).optional(),
  username: z.string().trim().max(200, 'At most 200 characters.').regex(PLAIN_LINE, PLAIN_LINE_MESSAGE).nullable().optional(),
  /** Write-only; null or "" removes it. */
  password: z.string().max(1024, 'At most 1024 characters.').nullable().optional(),
});

const ids = z.array(z.string().min(1).max(100), { error: 'Give a list of user ids.' }).max(500, 'At most 500 users.');

export const shareLevel = z.enum(['view', 'operate'], { error: 'Choose view or operate.' });
export const shareSchema = z.object({ userId: z.string(), level: shareLevel });
export type ShareDto = z.infer<typeof shareSchema>;
/** `shares` replaces the whole list; one entry per user. */
const shares = z
  .array(z.strictObject({ userId: z.string().min(1, 'Choose a user.').max(100), level: shareLevel }), { error: 'Give a list of {userId, level}.' })
  .max(500, 'At most 500 users.')
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((s, i) => {
      if (seen.has(s.userId)) ctx.addIssue({ code: 'custom', path: [i, 'userId'], message: 'This user is in the list twice.' });
      seen.add(s.userId);
    });
  });
/** `sharedWith` and `shares` say the same thing two ways: one at a time. */
const oneShareForm = (v: { sharedWith?: unknown; shares?: unknown }, ctx: z.RefinementCtx) => {
  if (v.sharedWith !== undefined && v.shares !== undefined) ctx.addIssue({ code: 'custom', path: ['shares'], message: 'Give shares or sharedWith, not both.' });
};

export const serverCreateInput = z
  .strictObject({
    name,
    host: targetHostSchema,
    sshPort: portSchema.default(22),
    sshUser: sshUser.default('root'),
    authMethod: z.enum(['password', 'key'], { error: 'Choose password or key.' }),
    password: secret('password', 1024).optional(),
    privateKey: privateKey.optional(),
    passphrase: z.string().max(1024, 'At most 1024 characters.').optional(),
    /** Pin a fingerprint checked out of band instead of trusting the first connection. */
    hostKeyFingerprint: fingerprint.nullable().optional(),
    glances: glancesInput.optional(),
    monitoringEnabled: z.boolean().default(true),
    nginxLayout: nginxLayoutInput.nullable().optional(),
    sharedWith: ids.optional(),
    tags: tagsInput.default([]),
    shares: shares.optional(),
  })
  .superRefine(oneShareForm)
  // `when`: checked even when other fields failed, so one submit names every missing field.
  .refine((v) => v.authMethod !== 'password' || Boolean(v.password), { path: ['password'], message: 'Enter the SSH password.', when: () => true })
  .refine((v) => v.authMethod !== 'key' || Boolean(v.privateKey), { path: ['privateKey'], message: 'Paste the private key.', when: () => true });
export type ServerCreateInput = z.output<typeof serverCreateInput>;

/** Every field optional; secrets left out stay as they are. */
export const serverPatchInput = z.strictObject({
  name: name.optional(),
  host: targetHostSchema.optional(),
  sshPort: portSchema.optional(),
  sshUser: sshUser.optional(),
  authMethod: z.enum(['password', 'key'], { error: 'Choose password or key.' }).optional(),
  password: secret('password', 1024).optional(),
  privateKey: privateKey.optional(),
  /** "" or null removes it. */
  passphrase: z.string().max(1024, 'At most 1024 characters.').nullable().optional(),
  glances: glancesInput.optional(),
  monitoringEnabled: z.boolean().optional(),
  nginxLayout: nginxLayoutInput.nullable().optional(),
  sharedWith: ids.optional(),
  /** Replaces the list. */
  tags: tagsInput.optional(),
  shares: shares.optional(),
}).superRefine(oneShareForm);
export type ServerPatchInput = z.output<typeof serverPatchInput>;

export const trustHostKeyInput = z.strictObject({
  /** The fingerprint to pin; default: the one the refused connection offered. */
  fingerprint: fingerprint.optional(),
});

const bindAddress = z
  .string()
  .trim()
  .transform((s, ctx) => {
    const r = checkTargetHost(s);
    if (r.ok && r.value.kind !== 'hostname') return r.value.host;
    ctx.addIssue({ code: 'custom', message: 'Enter an IP address for Glances to listen on (its API has no password of its own).' });
    return z.NEVER;
  });

export const installGlancesInput = z.strictObject({
  /** Default: the server's host when it is an IP address. */
  bind: bindAddress.optional(),
  port: portSchema.default(61208),
});
export type InstallGlancesInput = z.output<typeof installGlancesInput>;

export const nginxStatus = z.enum(['unknown', 'missing', 'installed', 'running']);

export const serverSchema = z.object({
  id: z.string(),
  name: z.string(),
  host: z.string(),
  sshPort: z.number().int(),
  sshUser: z.string(),
  authMethod: z.enum(['password', 'key']),
  /** Write-only secrets: only whether one is stored. */
  hasPassword: z.boolean(),
  hasPrivateKey: z.boolean(),
  hasPassphrase: z.boolean(),
  hostKeyFingerprint: hostKeyFingerprintSchema.nullable(),
  /** Set when a connection was refused because the server offered this other key. */
  offeredHostKeyFingerprint: z.string().nullable(),
  glances: z.object({ url: z.string().nullable(), username: z.string().nullable(), hasPassword: z.boolean(), apiVersion: z.number().int().nullable() }),
  monitoringEnabled: z.boolean(),
  status: z.enum(['unknown', 'up', 'down']),
  lastSeenAt: z.string().nullable(),
  lastError: z.string().nullable(),
  os: z.string().nullable(),
  osFamily: z.string().nullable(),
  nginx: z.object({ status: nginxStatus, version: z.string().nullable() }),
  nginxLayout: nginxLayoutSchema.nullable(),
  /** Admins: every user it is shared with; users: only themselves. */
  sharedWith: z.array(z.string()),
  /** Lower-case labels, sorted. */
  tags: z.array(z.string()),
  /** The same, with each share's level (`view` or `operate`). */
  shares: z.array(shareSchema),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ServerDto = z.infer<typeof serverSchema>;

export const serverListParams = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(100).optional(),
  /** `?tag=a&tag=b`: only servers carrying every given tag. */
  tag: tagQuery,
});
export type ServerListParams = z.input<typeof serverListParams>;
