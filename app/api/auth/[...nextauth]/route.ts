import type { NextRequest } from 'next/server';
import { handlers } from '@/lib/auth/next-auth';
import { rateLimitedSignIn } from '@/lib/http/sign-in-guard';

export const GET = handlers.GET;

// A rate-limited credentials post answers 429 itself instead of next-auth's error redirect.
export async function POST(request: NextRequest) {
  return (await rateLimitedSignIn(request)) ?? handlers.POST(request);
}
