/**
 * Recovery work each process does at start-up, by feature (e.g. marking tasks a dead process left
 * running as interrupted). A feature adds its hook here.
 */
export async function runStartupHooks(): Promise<void> {}
