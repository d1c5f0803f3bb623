import { registerJob } from './index';
import { pruneEvents } from '../events/bus';
import { pruneSignInFailures } from '../auth/rate-limit';

/** Every background job, by feature. A feature adds its registration call here. */
export function registerAllJobs(): void {
  registerJob({
    name: 'housekeeping',
    pattern: '0 */5 * * * *',
    run: async () => {
      await pruneEvents(60 * 60_000);
      await pruneSignInFailures();
    },
  });
}
