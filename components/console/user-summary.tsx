import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Icon } from '@/components/ui/icons';

export interface ShellUser {
  name: string;
  email: string;
  role: 'admin' | 'user';
}

export function UserSummary({ user }: { user: ShellUser }) {
  return (
    <div className="flex min-w-0 items-center gap-2 text-sm">
      <span className="truncate font-medium" title={user.email}>
        {user.name || user.email}
      </span>
      <Badge tone={user.role === 'admin' ? 'violet' : 'neutral'}>{user.role}</Badge>
    </div>
  );
}

/** Sign-out is a server action, so it works before hydration and clears the session cookie. */
export function SignOutButton({ action }: { action: () => Promise<void> }) {
  return (
    <form action={action}>
      <Button type="submit" variant="ghost" size="sm">
        <Icon name="logout" />
        Sign out
      </Button>
    </form>
  );
}
