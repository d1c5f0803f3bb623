import { z } from 'zod';
import { defineOperations } from '../operation';
import { listParams } from '../pagination';
import { meSchema, userCreateInput, userPatchInput, userSchema, changeOwnPasswordInput } from './schemas';

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
});
