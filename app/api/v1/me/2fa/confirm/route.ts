import { handle } from '@/lib/http/handler';
import { userOps } from '@/lib/users/operations';
import { confirmTwoFactorEnrolment } from '@/lib/users/two-factor';

export const POST = handle(userOps.twoFactorConfirm, ({ actor, body }) => confirmTwoFactorEnrolment(actor, body));
