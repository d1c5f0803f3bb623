/**
 * The ACME directories the settings card offers by name. Free of server-only imports: the card
 * (a client component) and its server action both read it.
 */
export const ACME_DIRECTORIES = {
  production: { label: "Let's Encrypt", url: 'https://acme-v02.api.letsencrypt.org/directory' },
  staging: { label: "Let's Encrypt staging (test certificates)", url: 'https://acme-staging-v02.api.letsencrypt.org/directory' },
} as const;

export type AcmePreset = keyof typeof ACME_DIRECTORIES | 'custom';

/** Which preset a stored directory URL is (anything else is `custom`). */
export function presetOf(url: string): AcmePreset {
  const hit = (Object.keys(ACME_DIRECTORIES) as Array<keyof typeof ACME_DIRECTORIES>).find((k) => ACME_DIRECTORIES[k].url === url);
  return hit ?? 'custom';
}

/** The URL a form's choice stands for: a preset's own URL, or what was typed for `custom`. */
export function directoryUrlOf(preset: AcmePreset, typed: string | undefined): string {
  return preset === 'custom' ? (typed ?? '').trim() : ACME_DIRECTORIES[preset].url;
}
