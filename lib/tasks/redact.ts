/**
 * Replaces known secret values in text with ***. Each task adds the secrets it handles; PEM blocks
 * are always cut out, whatever they belong to.
 */
export function redactor() {
  const secrets = new Set<string>();
  return {
    add(value: string | null | undefined) {
      if (value && value.length >= 4) {
        secrets.add(value);
        // Multi-line secrets (keys) may be logged a line at a time.
        for (const line of value.split('\n')) if (line.trim().length >= 16) secrets.add(line.trim());
      }
    },
    apply(text: string): string {
      let out = text.replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, '[private key]');
      for (const s of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join('***');
      return out;
    },
  };
}
