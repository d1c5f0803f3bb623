/**
 * The client address as the nearest proxy reports it. Gatehouse usually runs behind Nginx; the
 * first X-Forwarded-For entry is what that proxy saw. Used for audit and rate limits only.
 */
export function addressOf(headers: Headers): string | null {
  const xff = headers.get('x-forwarded-for');
  if (xff) return xff.split(',')[0].trim().slice(0, 64) || null;
  return headers.get('x-real-ip')?.slice(0, 64) ?? null;
}
