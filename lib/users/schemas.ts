import { z } from 'zod';
import { PLAIN_LINE, PLAIN_LINE_MESSAGE } from '../text';
import { passwordSchema } from './password';

export const roleSchema = z.enum(['admin', 'user'], { error: 'Role must be admin or user.' });

export const userCreateInput = z.strictObject({
  email: z.email('Enter a valid e-mail address.').max(254).transform((e) => e.toLowerCase()),
  name: z.string().trim().max(100, 'Use at most 100 characters.').regex(PLAIN_LINE, PLAIN_LINE_MESSAGE).default(''),
  password: passwordSchema,
  role: roleSchema.default('user'),
  active: z.boolean().default(true),
});
export type UserCreateInput = z.infer<typeof userCreateInput>;

export const userPatchInput = z.strictObject({
  email: z.email('Enter a valid e-mail address.').max(254).transform((e) => e.toLowerCase()).optional(),
  name: z.string().trim().max(100, 'Use at most 100 characters.').regex(PLAIN_LINE, PLAIN_LINE_MESSAGE).optional(),
  password: passwordSchema.optional(),
  role: roleSchema.optional(),
  active: z.boolean().optional(),
});
export type UserPatchInput = z.infer<typeof userPatchInput>;

export const changeOwnPasswordInput = z
  .strictObject({
    currentPassword: z.string().min(1, 'Enter your current password.'),
    newPassword: passwordSchema,
  })
  .refine((v) => v.currentPassword !== v.newPassword, { path: ['newPassword'], message: 'Choose a new password.' });

export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  active: z.boolean(),
  createdAt: z.string(),
  lastLoginAt: z.string().nullable(),
  /** Two-factor sign-in is on (an admin can reset it: `POST /users/{id}/2fa/reset`). */
  twoFactorEnabled: z.boolean(),
  /** `password`, or `oidc`: the account was created by single sign-on (its role follows the provider's groups). */
  authProvider: z.enum(['password', 'oidc']),
});
export type UserDto = z.infer<typeof userSchema>;

export const meSchema = z.object({ id: z.string(), email: z.string(), name: z.string(), role: roleSchema });

// ---- two-factor sign-in ----------------------------------------------------------------------------

export const twoFactorCodeInput = z.strictObject({
  code: z
    .string({ error: 'Enter the code from your authenticator app.' })
    .trim()
    .min(1, 'Enter the code from your authenticator app.')
    .max(64, 'A code is at most 64 characters.'),
});

export const twoFactorStatusSchema = z.object({
  enabled: z.boolean(),
  /** settings.security.require2fa: everyone signing in with a password must set it up. */
  required: z.boolean(),
  /** Unused recovery codes left (0 while two-factor is off). */
  recoveryCodesLeft: z.number().int(),
});
export type TwoFactorStatus = z.infer<typeof twoFactorStatusSchema>;

export const twoFactorEnrolmentSchema = z.object({
  /** Base32, for typing into an app by hand; shown only in this answer. */
  secret: z.string(),
  otpauthUrl: z.string(),
});

export const recoveryCodesSchema = z.object({ recoveryCodes: z.array(z.string()).length(10) });
