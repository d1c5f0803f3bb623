import { Checkbox } from '@/components/ui/checkbox';
import { Field } from '@/components/ui/field';
import { Select } from '@/components/ui/select';
import type { UserDto } from '@/lib/users/schemas';

const roles = [
  { value: 'user', label: 'User' },
  { value: 'admin', label: 'Admin' },
];

/** Names of the fields below, for ModalForm's fieldNames. */
export const userFieldNames = ['email', 'name', 'role', 'active', 'password'];

/** The fields of the create and edit forms; `user` given means edit. */
export function UserFields({ user }: { user?: UserDto }) {
  return (
    <>
      <Field label="E-mail" name="email" type="email" autoComplete="off" required defaultValue={user?.email} />
      <Field label="Name" name="name" autoComplete="off" optional defaultValue={user?.name} />
      <Select label="Role" name="role" options={roles} defaultValue={user?.role ?? 'user'} hint="Admins change everything; users see only the servers shared with them." />
      {user && <Checkbox label="Active" name="active" defaultChecked={user.active} hint="An inactive user cannot sign in and their API tokens stop working." />}
      <Field
        label={user ? 'New password' : 'Password'}
        name="password"
        type="password"
        autoComplete="new-password"
        required={!user}
        optional={Boolean(user)}
        hint={user ? 'Leave empty to keep the current password. Setting one signs the user out everywhere.' : 'At least 10 characters.'}
      />
    </>
  );
}
