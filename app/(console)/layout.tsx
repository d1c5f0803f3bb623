import { requireActor } from '@/lib/auth/session';
import { ConsoleShell } from '@/components/console/console-shell';
import { navFor } from '@/components/console/nav';
import { ToastProvider } from '@/components/ui/toast';
import { signOutAction } from './actions';

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const actor = await requireActor();
  return (
    <ToastProvider>
      <ConsoleShell items={navFor(actor.role)} user={{ name: actor.name, email: actor.email, role: actor.role }} signOut={signOutAction}>
        {children}
      </ConsoleShell>
    </ToastProvider>
  );
}
