/**
 * Which server names a TLS certificate serves: the shared rule for the proxy (a domain pointed at
 * a certificate) and the certificates feature (uploads, renewals).
 */

/** A domain's server names: its fqdn and aliases, lower-case, once each. */
export const domainNames = (d: { fqdn: string; aliases: readonly string[] | null }) => [...new Set([d.fqdn, ...(d.aliases ?? [])].map((n) => n.toLowerCase()))];

/**
 * Does a certificate name cover a server name? Exact (case-insensitive) or through a wildcard
 * that stands for exactly one left-most label (RFC 6125 §6.4.3); a wildcard server name such as
 * `*.example.com` needs that same wildcard in the certificate.
 */
export function nameCovered(name: string, certNames: readonly string[]): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  return certNames.some((c) => {
    const cn = c.toLowerCase();
    if (cn === n) return true;
    if (!cn.startsWith('*.') || n.startsWith('*.')) return false;
    const suffix = cn.slice(1);
    const label = n.endsWith(suffix) ? n.slice(0, -suffix.length) : '';
    return label.length > 0 && !label.includes('.');
  });
}

/** The server names a certificate does not cover. */
export const uncoveredNames = (names: readonly string[], certNames: readonly string[]) => names.filter((n) => !nameCovered(n, certNames));

export function coverageMessage(missing: string[], certNames: string[]): string {
  const list = (a: string[]) => (a.length > 4 ? `${a.slice(0, 4).join(', ')} and ${a.length - 4} more` : a.join(', '));
  return `The certificate does not cover ${list(missing)}; it is for ${certNames.length ? list(certNames) : 'no DNS name at all'}.`;
}
