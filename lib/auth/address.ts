/**
 * The client address, for audit and sign-in rate limits. Next.js fills X-Forwarded-For with the
 * socket address when a request has none; behind Nginx (`$proxy_add_x_forwarded_for`) the proxy
 * appends the address it saw. The right-most entry is therefore the one added by the hop nearest
 * to us — the left-most is whatever the client chose to send, so it is never trusted.
 */
export function addressOf(headers: Headers): string | null {
  const xff = headers.get('x-forwarded-for');
  if (xff) {
    const hops = xff.split(',').map((s) => s.trim()).filter(Boolean);
    const nearest = hops[hops.length - 1];
    if (nearest) return nearest.slice(0, 64);
  }
  return headers.get('x-real-ip')?.slice(0, 64) ?? null;
}
