import type { Command } from 'commander';
import { cliActor } from '../access/actor';
import { requireUserByEmail } from '../users/service';
import { resetTwoFactor } from '../users/two-factor';
import { print, ready } from './shared';

/** `users reset-2fa --email E`: for someone who lost their authenticator app (audited as user.2fa_reset). */
export function registerTwoFactorCommands(program: Command) {
  const users = program.commands.find((c) => c.name() === 'users') ?? program.command('users').description('manage users');
  users
    .command('reset-2fa')
    .description('turn off two-factor sign-in for a user (lost device); they sign in with the password alone')
    .requiredOption('--email <email>')
    .action(async (o) => {
      await ready();
      const u = await requireUserByEmail(o.email);
      await resetTwoFactor(cliActor, u.id);
      print(`reset-2fa: ${u.email}: two-factor sign-in is off; recovery codes removed`);
    });
}
