import { handle } from '@/lib/http/handler';
import { userOps } from '@/lib/users/operations';
import { resetTwoFactor } from '@/lib/users/two-factor';

export const POST = handle(userOps.twoFactorReset, ({ actor, params }) => resetTwoFactor(actor, params.id));
