import { z } from 'zod';
import { defineOperations } from '../operation';
import { taskAccepted } from '../tasks/schemas';
import {
  certificateCreateInput,
  certificateCreatedSchema,
  certificateDetailSchema,
  certificateListParams,
  certificateSchema,
} from './schemas';

const list = z.object({ items: z.array(certificateSchema), nextCursor: z.string().nullable() });

export const certificateOps = defineOperations({
  list: {
    method: 'GET', path: '/certificates', summary: 'Certificates (users: those of domains on servers shared with them, read-only)', tag: 'certificates', auth: 'user',
    query: certificateListParams, response: list,
  },
  create: {
    method: 'POST', path: '/certificates', summary: 'Upload a custom certificate, or issue one through ACME', tag: 'certificates', auth: 'admin',
    body: certificateCreateInput, response: certificateCreatedSchema, status: 201,
    alternatives: { 202: { description: 'ACME: the order is queued as a task', response: z.object({ taskId: z.string(), certificateId: z.string() }) } },
    errors: { 409: '`certificate_task_running`: a certificate is already being issued for this domain' },
    description:
      'Custom: `{certificatePem, privateKeyPem, chainPem?, domainId?}` answers 201 with the certificate. The key must match, the certificate must be valid now, ' +
      'the chain in issuing order, and with `domainId` its names must cover the domain (which is then switched to it and deployed: `deployTaskId`). ' +
      'Every problem is a 422 naming its field. ACME: `{"source":"acme","domainId":…}` answers 202 `{taskId, certificateId}`; the task validates HTTP-01 ' +
      'through the domain\'s own Nginx, stores the certificate, attaches it and deploys. The private key is never returned.',
  },
  get: { method: 'GET', path: '/certificates/{id}', summary: 'One certificate with its public PEM (never the key)', tag: 'certificates', auth: 'user', response: certificateDetailSchema },
  remove: {
    method: 'DELETE', path: '/certificates/{id}', summary: 'Delete a certificate', tag: 'certificates', auth: 'admin', status: 204,
    description: '409 `certificate_in_use` (with `details.domains`) while a domain uses it.',
    errors: { 409: '`certificate_in_use` (with `details.domains`), or `certificate_task_running` while it is being issued' },
  },
  renew: {
    method: 'POST', path: '/certificates/{id}/renew', summary: 'Renew an ACME certificate now, as a task', tag: 'certificates', auth: 'admin',
    response: taskAccepted, status: 202,
    description: '409 `certificate_not_renewable` for custom certificates; 409 `certificate_task_running` while one is being issued.',
    errors: { 409: '`certificate_not_renewable` (custom), `certificate_domain_missing`, or `certificate_task_running`' },
  },
});
