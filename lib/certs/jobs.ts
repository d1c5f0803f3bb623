import { runRenewalJob } from './renewal';

/**
 * Certificates' background job (wired by lib/registry.ts). It looks hourly so that a
 * failed renewal is retried on its backoff (1 h doubling to 24 h); a healthy certificate is
 * renewed once, on the first look after it enters the 30-day window.
 */
export const certificateJobs = [{ name: 'certificates.renew', pattern: '0 17 * * * *', run: async () => void (await runRenewalJob()) }];
