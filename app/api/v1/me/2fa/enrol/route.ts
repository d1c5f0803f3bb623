import { handle } from '@/lib/http/handler';
import { userOps } from '@/lib/users/operations';
import { startTwoFactorEnrolment } from '@/lib/users/two-factor';

export const POST = handle(userOps.twoFactorEnrol, ({ actor }) => startTwoFactorEnrolment(actor));
