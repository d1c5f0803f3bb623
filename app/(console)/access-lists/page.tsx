import type { Metadata } from 'next';
import { requireActor } from '@/lib/auth/session';
import { listAccessLists } from '@/lib/proxy/access-lists';
import { Icon } from '@/components/ui/icons';
import { ModalForm } from '@/components/ui/modal-form';
import { PageHeader } from '@/components/ui/page-header';
import { AccessListFields, accessListFieldNames } from '@/components/proxy/access-list-fields';
import { AccessListTable } from '@/components/proxy/access-list-table';
import { createAccessListAction, deleteAccessListAction, updateAccessListAction } from './actions';

export const metadata: Metadata = { title: 'Access lists' };

export default async function AccessListsPage() {
  const actor = await requireActor();
  const admin = actor.role === 'admin';
  const lists = await listAccessLists(actor, { limit: 500 });
  return (
    <>
      <PageHeader
        title="Access lists"
        description={
          admin
            ? 'Passwords and address rules, attached to domains or their locations. Passwords are kept only as hashes.'
            : 'Access lists used by domains on servers shared with you (read-only).'
        }
        actions={
          admin && (
            <ModalForm action={createAccessListAction} title="New access list" trigger={<><Icon name="plus" />New access list</>} triggerVariant="primary" submitLabel="Create access list" size="lg" fieldNames={accessListFieldNames}>
              <AccessListFields />
            </ModalForm>
          )
        }
      />
      <AccessListTable initial={lists} actions={admin ? { update: updateAccessListAction, remove: deleteAccessListAction } : null} />
    </>
  );
}
