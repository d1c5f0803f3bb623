import { Command, CommanderError } from 'commander';
import { registerUserCommands } from './users';
import { registerTwoFactorCommands } from './two-factor';
import { registerTokenCommands } from './tokens';
import { registerSystemCommands } from './system';
import { registerBackupCommands } from './backup';
import { registerProxyCommands } from './proxy';
import { closeDb } from '../db';
import { AppError } from '../errors';
import { ConfigError } from '../config';

/**
 * `npm run --silent cli -- <command>`: thin adapters over lib/. On bad input: one line on stderr
 * and a non-zero exit; never a stack trace.
 */
const program = new Command('gatehouse')
  .description('Gatehouse command line')
  .showHelpAfterError(false)
  .exitOverride()
  .configureOutput({ outputError: (str, write) => write(str.split('\n').find((l) => l.trim()) + '\n') });

registerSystemCommands(program);
registerUserCommands(program);
registerTwoFactorCommands(program);
registerTokenCommands(program);
registerBackupCommands(program);
registerProxyCommands(program);

function oneLine(err: unknown): string {
  if (err instanceof AppError && err.fields) {
    const [field, msgs] = Object.entries(err.fields)[0];
    return `error: ${field}: ${msgs[0]}`;
  }
  if (err instanceof AppError || err instanceof ConfigError) return `error: ${err.message}`;
  return `error: ${(err as Error)?.message?.split('\n')[0] ?? String(err)}`;
}

async function main() {
  try {
    await program.parseAsync(process.argv);
    await closeDb();
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
    } else {
      process.stderr.write(oneLine(err) + '\n');
      process.exitCode = 1;
    }
    await closeDb().catch(() => {});
  }
}

void main();
