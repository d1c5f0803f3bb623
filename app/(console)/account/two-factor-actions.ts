'use server';

import { z } from 'zod';
import { formAction } from '@/lib/http/action';
import { confirmTwoFactorEnrolment, disableTwoFactor, startTwoFactorEnrolment } from '@/lib/users/two-factor';
import { twoFactorCodeInput } from '@/lib/users/schemas';
import { totpQrSvg } from '@/lib/users/totp';

// Allowed while settings.security.require2fa holds a session on the set-up page (/two-factor).
const options = { enrolling: true };

export const startTwoFactorAction = formAction(
  z.object({}),
  async (_data, actor) => {
    const { secret, otpauthUrl } = await startTwoFactorEnrolment(actor);
    return { message: 'Scan the code with your authenticator app.', data: { secret, otpauthUrl, qrSvg: await totpQrSvg(otpauthUrl) } };
  },
  options,
);

export const confirmTwoFactorAction = formAction(
  twoFactorCodeInput,
  async (data, actor) => {
    const { recoveryCodes } = await confirmTwoFactorEnrolment(actor, data);
    return { message: 'Two-factor sign-in is on.', data: { recoveryCodes } };
  },
  options,
);

export const disableTwoFactorAction = formAction(
  twoFactorCodeInput,
  async (data, actor) => {
    await disableTwoFactor(actor, data);
    return 'Two-factor sign-in is off.';
  },
  { revalidate: '/account' },
);
