import { handle } from '@/lib/http/handler';
import { userOps } from '@/lib/users/operations';
import { disableTwoFactor, getTwoFactorStatus } from '@/lib/users/two-factor';

export const GET = handle(userOps.twoFactorStatus, ({ actor }) => getTwoFactorStatus(actor));
export const DELETE = handle(userOps.twoFactorDisable, ({ actor, body }) => disableTwoFactor(actor, body));
