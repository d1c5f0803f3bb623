/** Who is acting: a signed-in user (session or API token), the CLI, or the system itself. */
export interface Actor {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'user';
  via: 'session' | 'token' | 'cli' | 'system';
  address?: string | null;
  /**
   * A password session of someone without two-factor sign-in while settings.security.require2fa
   * is on: it may set two-factor up (the `/me` routes, the set-up page) and nothing else.
   */
  mustEnrolTwoFactor?: boolean;
}

export const systemActor: Actor = { id: 'system', email: 'system', name: 'Gatehouse', role: 'admin', via: 'system' };
export const cliActor: Actor = { id: 'cli', email: 'cli', name: 'CLI', role: 'admin', via: 'cli', address: 'local' };

export const isAdmin = (a: Actor) => a.role === 'admin';
