import { z } from 'zod';
import { defineOperations } from '../operation';
import { listParams } from '../pagination';
import {
  meSchema, userCreateInput, userPatchInput, userSchema, changeOwnPasswordInput, recoveryCodesSchema, twoFactorCodeInput, twoFactorEnrolmentSchema, twoFactorStatusSchema,
} from './schemas';

const list = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const userOps = defineOperations({
  me: { method: 'GET', path: '/me', summary: 'The signed-in user', tag: 'account', auth: 'user', response: meSchema },
  changePassword: {
    method: 'POST', path: '/me/password', summary: 'Change your own password (ends your other sessions and tokens)', tag: 'account', auth: 'user',
    body: changeOwnPasswordInput, status: 204,
  },
  list: { method: 'GET', path: '/users', summary: 'List users', tag: 'users', auth: 'admin', query: listParams, response: list(userSchema) },
  create: { method: 'POST', path: '/users', summary: 'Create a user', tag: 'users', auth: 'admin', body: userCreateInput, response: userSchema, status: 201,
    errors: { 409: '`user_exists`: another user has this e-mail' },
  },
  get: { method: 'GET', path: '/users/{id}', summary: 'Get a user', tag: 'users', auth: 'admin', response: userSchema },
  update: {
    method: 'PATCH', path: '/users/{id}', summary: 'Change a user (name, e-mail, role, active, password)', tag: 'users', auth: 'admin',
    body: userPatchInput, response: userSchema, errors: { 409: '`user_exists`: another user has this e-mail' },
    description: 'A new password, a deactivation or a role change ends the user\'s sessions and API tokens. The last active admin cannot be demoted or deactivated.',
  },
  remove: {
    method: 'DELETE', path: '/users/{id}', summary: 'Delete a user', tag: 'users', auth: 'admin', status: 204,
    errors: { 409: '`cannot_delete_self`, or `last_admin` for the last active admin' },
  },
  twoFactorStatus: {
    method: 'GET', path: '/me/2fa', summary: 'Is two-factor sign-in on for you, and is it required', tag: 'account', auth: 'user', response: twoFactorStatusSchema,
  },
  twoFactorEnrol: {
    method: 'POST', path: '/me/2fa/enrol', summary: 'Start setting up two-factor sign-in: a new TOTP secret for your authenticator app', tag: 'account', auth: 'user',
    response: twoFactorEnrolmentSchema, errors: { 409: '`two_factor_enabled`: it is on already' },
    description: 'TOTP per RFC 6238 (SHA-1, 6 digits, 30 s). The secret is shown only in this answer; nothing changes at sign-in until `POST /me/2fa/confirm`. Starting again replaces an unconfirmed secret. 409 `two_factor_enabled` when it is on already.',
  },
  twoFactorConfirm: {
    method: 'POST', path: '/me/2fa/confirm', summary: 'Turn two-factor sign-in on with a current code; answers ten recovery codes, shown once', tag: 'account', auth: 'user',
    body: twoFactorCodeInput, response: recoveryCodesSchema, errors: { 409: '`not_enrolling`: no set-up was started; or `two_factor_enabled`' },
    description: 'A wrong code is a 422 on `code`. 409 `not_enrolling` without a started set-up. Each recovery code signs in once in place of a TOTP code; only their hashes are kept.',
  },
  twoFactorDisable: {
    method: 'DELETE', path: '/me/2fa', summary: 'Turn two-factor sign-in off (takes a current code or a recovery code)', tag: 'account', auth: 'user',
    body: twoFactorCodeInput, status: 204, errors: { 409: '`two_factor_disabled`: it is not on' },
  },
  twoFactorReset: {
    method: 'POST', path: '/users/{id}/2fa/reset', summary: 'Turn off two-factor sign-in for a user (lost device)', tag: 'users', auth: 'admin', status: 204,
    description: 'Audited as `user.2fa_reset`. The user then signs in with the password alone (and is asked to set it up again when it is required).',
  },
});
