import { z } from 'zod';
import { defineOperations } from '../operation';
import { listParams } from '../pagination';
import { tokenCreateInput, tokenCreatedSchema, tokenSchema } from './schemas';

export const tokenOps = defineOperations({
  list: {
    method: 'GET', path: '/tokens', summary: 'Your API tokens', tag: 'tokens', auth: 'user', query: listParams,
    response: z.object({ items: z.array(tokenSchema), nextCursor: z.string().nullable() }),
  },
  create: {
    method: 'POST', path: '/tokens', summary: 'Create an API token (the token is shown once)', tag: 'tokens', auth: 'user',
    body: tokenCreateInput, response: tokenCreatedSchema, status: 201,
  },
  revoke: { method: 'DELETE', path: '/tokens/{id}', summary: 'Revoke one of your tokens', tag: 'tokens', auth: 'user', status: 204 },
});
