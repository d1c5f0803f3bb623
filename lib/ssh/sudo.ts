import { SudoNotAllowedError, SudoPasswordRequiredError, type SshError } from './errors';
import { cmd } from './quote';

/**
 * `sudo -n` never prompts: without a NOPASSWD rule it fails at once instead of hanging on a
 * password prompt nobody can answer. LC_ALL=C keeps sudo's messages in English so that
 * `sudoFailure` can recognise them; `sh -c` lets one privileged call run a whole script.
 */
export function sudoWrap(command: string): string {
  return cmd`LC_ALL=C sudo -n sh -c ${command}`;
}

// sudo exits 1 with one of these when it refuses before running anything.
const passwordNeeded = /^sudo: (?:a password is required|a terminal is required|sorry, you must have a tty)/m;
const notAllowed = /^sudo: .*(?:is not in the sudoers file|is not allowed to)|^Sorry, user .* is not allowed to/m;
const sudoMissing = /sudo: (?:command )?not found/;

/** The typed error when sudo itself refused (as opposed to the command failing), else null. */
export function sudoFailure(result: { code: number | null; stderr: string }, detail: string): SshError | null {
  if (result.code === 1 && passwordNeeded.test(result.stderr)) return new SudoPasswordRequiredError(detail);
  if (result.code === 1 && notAllowed.test(result.stderr)) return new SudoNotAllowedError(detail);
  if (result.code === 127 && sudoMissing.test(result.stderr)) return new SudoNotAllowedError(`${detail}: sudo not installed`);
  return null;
}
