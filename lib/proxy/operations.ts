import { z } from 'zod';
import { tagQuery } from '../servers/tags';
import { defineOperations, serverErrors } from '../operation';
import { listParams } from '../pagination';
import { taskAccepted } from '../tasks/schemas';
import { accessListInput, accessListPatch, domainInput, domainPatch, templateInput, templatePatch, upstreamInput, upstreamPatch } from './schemas';
import {
  accessListList,
  accessListSchema,
  domainConfigSchema,
  domainList,
  domainSchema,
  driftSchema,
  previewInput,
  serverConfigSchema,
  templateList,
  templateSchema,
  upstreamList,
  upstreamSchema,
} from './dto';

export const domainListParams = listParams.extend({
  serverId: z.string().max(100).optional(),
  upstreamId: z.string().max(100).optional(),
  /** `?tag=a&tag=b`: only domains carrying every given tag. */
  tag: tagQuery,
});

export const proxyOps = defineOperations({
  listUpstreams: {
    method: 'GET', path: '/upstreams', summary: 'Upstream pools (users: those their shared servers\' domains use)', tag: 'upstreams', auth: 'user',
    query: listParams, response: upstreamList,
  },
  createUpstream: { method: 'POST', path: '/upstreams', summary: 'Create an upstream pool', tag: 'upstreams', auth: 'admin', body: upstreamInput, response: upstreamSchema, status: 201, errors: { 409: '`upstream_exists`: the name is taken' } },
  getUpstream: { method: 'GET', path: '/upstreams/{id}', summary: 'One upstream pool', tag: 'upstreams', auth: 'user', response: upstreamSchema },
  updateUpstream: {
    method: 'PATCH', path: '/upstreams/{id}', summary: 'Change an upstream pool (targets are replaced as a whole)', tag: 'upstreams', auth: 'admin',
    body: upstreamPatch, response: upstreamSchema, errors: { 409: '`upstream_exists`: the name is taken' }, description: 'Domains using the pool become `pending` until the next deploy.',
  },
  deleteUpstream: {
    method: 'DELETE', path: '/upstreams/{id}', summary: 'Delete an upstream pool', tag: 'upstreams', auth: 'admin', status: 204,
    description: '409 `upstream_in_use` (naming the domains) while a domain uses it.',
    errors: { 409: '`upstream_in_use` (naming the domains)' },
  },

  listAccessLists: {
    method: 'GET', path: '/access-lists', summary: 'Access lists (users: those their shared servers\' domains use)', tag: 'access-lists', auth: 'user',
    query: listParams, response: accessListList,
  },
  createAccessList: {
    method: 'POST', path: '/access-lists', summary: 'Create an access list', tag: 'access-lists', auth: 'admin', body: accessListInput, response: accessListSchema, status: 201,
    errors: { 409: '`access_list_exists`: the name is taken' },
    description: 'Passwords are write-only: Gatehouse stores a SHA-512 crypt (`$6$`) hash and answers `hasPassword`. 409 `access_list_exists` when the name is taken.',
  },
  getAccessList: { method: 'GET', path: '/access-lists/{id}', summary: 'One access list', tag: 'access-lists', auth: 'user', response: accessListSchema },
  updateAccessList: {
    method: 'PATCH', path: '/access-lists/{id}', summary: 'Change an access list (users and rules are replaced as a whole)', tag: 'access-lists', auth: 'admin',
    body: accessListPatch, response: accessListSchema, errors: { 409: '`access_list_exists`: the name is taken' },
    description: 'A user given without `password` keeps the one it has; a new user needs one. Domains using the list become `pending` until the next deploy.',
  },
  deleteAccessList: {
    method: 'DELETE', path: '/access-lists/{id}', summary: 'Delete an access list', tag: 'access-lists', auth: 'admin', status: 204,
    description: '409 `access_list_in_use` (naming the domains) while a domain or one of its locations uses it.',
    errors: { 409: '`access_list_in_use` (naming the domains)' },
  },

  listDomains: {
    method: 'GET', path: '/domains', summary: 'Domains (users: those on servers shared with them)', tag: 'domains', auth: 'user',
    query: domainListParams, response: domainList,
  },
  createDomain: {
    method: 'POST', path: '/domains', summary: 'Create a domain (status pending until deployed)', tag: 'domains', auth: 'operate', body: domainInput, response: domainSchema, status: 201, errors: { 409: '`domain_exists`: the name or an alias is taken' },
    description: '409 `domain_exists` when the name (or an alias) is taken. Every value is checked against the config grammar. An operator may create domains only on servers they operate (403 otherwise) and never set `customDirectives` (403).',
  },
  getDomain: { method: 'GET', path: '/domains/{id}', summary: 'One domain', tag: 'domains', auth: 'user', response: domainSchema },
  updateDomain: {
    method: 'PATCH', path: '/domains/{id}', summary: 'Change a domain (it becomes pending)', tag: 'domains', auth: 'operate', body: domainPatch, response: domainSchema, errors: { 409: '`domain_exists`: the name or an alias is taken' },
    description: 'An operator of the domain\'s server may change it, but not its `customDirectives` (403) nor move it to a server they do not operate (403).',
  },
  deleteDomain: {
    method: 'DELETE', path: '/domains/{id}', summary: 'Delete a domain', tag: 'domains', auth: 'operate', status: 204,
    description: 'Its file leaves the server at that server\'s next deploy.',
  },
  deployDomain: {
    method: 'POST', path: '/domains/{id}/deploy', summary: 'Deploy one domain (its file, certificate and upstreams.conf)', tag: 'domains', auth: 'operate',
    response: taskAccepted, status: 202,
  },
  domainConfig: {
    method: 'GET', path: '/domains/{id}/config', summary: 'The domain\'s rendered files and their diff against what is deployed', tag: 'domains', auth: 'user', response: domainConfigSchema,
    description: 'No SSH: upstream names are resolved from Gatehouse with a short deadline; a name that does not resolve shows as a placeholder.', errors: serverErrors,
  },

  listTemplates: { method: 'GET', path: '/templates', summary: 'Templates (built-in and your own)', tag: 'templates', auth: 'admin', query: listParams, response: templateList },
  createTemplate: {
    method: 'POST', path: '/templates', summary: 'Create a template (checked by rendering it for a sample domain)', tag: 'templates', auth: 'admin',
    body: templateInput, response: templateSchema, status: 201, errors: { 409: '`template_exists`: the name is taken' },
  },
  previewTemplate: {
    method: 'POST', path: '/templates/preview', summary: 'Render a template body for one domain', tag: 'templates', auth: 'admin',
    body: previewInput, response: z.string(), produces: 'text/plain',
    description: 'Answers the rendered text, or 422 `validation_failed` with `fields.body` and `details.line` (the template line, when known).',
  },
  getTemplate: { method: 'GET', path: '/templates/{id}', summary: 'One template', tag: 'templates', auth: 'admin', response: templateSchema },
  updateTemplate: {
    method: 'PATCH', path: '/templates/{id}', summary: 'Change your template (built-ins: 409 template_builtin)', tag: 'templates', auth: 'admin',
    body: templatePatch, response: templateSchema, errors: { 409: '`template_builtin` (built-ins are read-only), or `template_exists`' },
  },
  deleteTemplate: {
    method: 'DELETE', path: '/templates/{id}', summary: 'Delete your template', tag: 'templates', auth: 'admin', status: 204,
    description: '409 `template_builtin` for built-ins, `template_in_use` while a domain uses it.',
    errors: { 409: '`template_builtin`, or `template_in_use` while a domain uses it' },
  },

  deployServer: {
    method: 'POST', path: '/servers/{id}/deploy', summary: 'Deploy every domain of a server', tag: 'servers', auth: 'operate', response: taskAccepted, status: 202,
    description: 'A task: changed files go to a staging directory, are swapped in and checked with `nginx -t`; on failure the previous files come back and Nginx keeps serving them.',
  },
  serverConfig: {
    method: 'GET', path: '/servers/{id}/config', summary: 'What a deploy would write, and its diff against the manifest', tag: 'servers', auth: 'user', response: serverConfigSchema,
    description: 'No SSH: answers whether the server is up or not. Upstream names are resolved from Gatehouse with a short deadline.', errors: serverErrors,
  },
  serverDrift: {
    method: 'GET', path: '/servers/{id}/drift', summary: 'Files on the server that differ from the deployed manifest, and the pending preview', tag: 'servers', auth: 'user',
    response: driftSchema,
    description: 'Connects over SSH. A server that cannot be reached (refused, timed out, login or host key refused) answers 200 `{"state":"unreachable","error":…,"reason":…}`; otherwise `state` is `in_sync` or `drifted` with the differences.',
    errors: serverErrors,
  },
});
