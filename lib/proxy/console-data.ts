/**
 * What the console's proxy screens need to fill their forms and name things: servers, pools and
 * templates the actor may see, reduced to ids and labels (certificates: lib/certs `certificateChoices`).
 */
import type { Actor } from '../access/actor';
import { operatedServerIds } from '../access/rbac';
import { listServers } from '../servers/store';
import { listTemplates } from './templates-service';
import { listUpstreams } from './upstreams';
import { listAccessLists } from './access-lists';

export interface ProxyChoices {
  servers: { id: string; name: string }[];
  upstreams: { id: string; name: string }[];
  templates: { id: string; name: string; kind: 'http' | 'ssl' }[];
  accessLists: { id: string; name: string }[];
  /** Admins: true; they alone set templates and custom directives. */
  admin: boolean;
  /** Servers whose domains the actor may create, change, delete and deploy; null: every server (admins). */
  operable: string[] | null;
}

export async function proxyChoices(actor: Actor): Promise<ProxyChoices> {
  const admin = actor.role === 'admin';
  const [servers, upstreams, templates, accessLists, operable] = await Promise.all([
    listServers(actor, { limit: 500 }),
    listUpstreams(actor, { limit: 500 }),
    admin ? listTemplates(actor, { limit: 500 }) : Promise.resolve({ items: [] }),
    listAccessLists(actor, { limit: 500 }),
    operatedServerIds(actor),
  ]);
  return {
    servers: servers.items.map((s) => ({ id: s.id, name: s.name })),
    upstreams: upstreams.items.map((u) => ({ id: u.id, name: u.name })),
    templates: templates.items.map((t) => ({ id: t.id, name: t.name, kind: t.kind })),
    accessLists: accessLists.items.map((a) => ({ id: a.id, name: a.name })),
    admin,
    operable,
  };
}
