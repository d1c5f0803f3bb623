/**
 * /etc/os-release (os-release(5)) → what Gatehouse needs to pick an install plan. The file is
 * "shell-compatible variable assignments": values may be unquoted, "double-quoted" (with
 * backslash escapes for " \ $ `) or 'single-quoted'.
 */

export type OsFamily = 'debian' | 'rhel' | 'alpine' | 'suse' | 'arch' | 'unknown';

export interface OsRelease {
  /** ID, lower case (`debian`, `ubuntu`, `rocky`, `opensuse-leap`, …). */
  id: string;
  /** ID_LIKE, split on whitespace. */
  idLike: string[];
  name: string;
  /** VERSION_ID (`12`, `24.04`, `9.4`); empty for rolling releases such as Arch. */
  version: string;
  prettyName: string;
  family: OsFamily;
}

const FAMILY_OF: Record<string, Exclude<OsFamily, 'unknown'>> = {
  debian: 'debian',
  ubuntu: 'debian',
  raspbian: 'debian',
  linuxmint: 'debian',
  pop: 'debian',
  elementary: 'debian',
  kali: 'debian',
  devuan: 'debian',
  zorin: 'debian',
  rhel: 'rhel',
  fedora: 'rhel',
  centos: 'rhel',
  rocky: 'rhel',
  almalinux: 'rhel',
  ol: 'rhel',
  amzn: 'rhel',
  scientific: 'rhel',
  cloudlinux: 'rhel',
  alpine: 'alpine',
  postmarketos: 'alpine',
  suse: 'suse',
  sles: 'suse',
  sles_sap: 'suse',
  sled: 'suse',
  opensuse: 'suse',
  arch: 'arch',
  archarm: 'arch',
  manjaro: 'arch',
  endeavouros: 'arch',
  garuda: 'arch',
  artix: 'arch',
};

function familyOfName(name: string): Exclude<OsFamily, 'unknown'> | null {
  if (FAMILY_OF[name]) return FAMILY_OF[name];
  // opensuse-leap, opensuse-tumbleweed, opensuse-microos, …
  if (name.startsWith('opensuse')) return 'suse';
  return null;
}

/** The family from ID first, then each ID_LIKE entry in order (e.g. linuxmint → ubuntu → debian). */
export function osFamily(id: string, idLike: readonly string[]): OsFamily {
  for (const candidate of [id, ...idLike]) {
    const family = familyOfName(candidate.toLowerCase());
    if (family) return family;
  }
  return 'unknown';
}

function unquote(raw: string): string {
  const v = raw.trim();
  if (v.startsWith('"')) {
    let out = '';
    for (let i = 1; i < v.length; i++) {
      const c = v[i];
      if (c === '"') break;
      if (c === '\\' && i + 1 < v.length && '"\\$`'.includes(v[i + 1])) out += v[++i];
      else out += c;
    }
    return out;
  }
  if (v.startsWith("'")) {
    const end = v.indexOf("'", 1);
    return end === -1 ? v.slice(1) : v.slice(1, end);
  }
  return v;
}

/** The raw KEY → value map. */
export function parseOsReleaseVars(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = line.match(/^\s*([A-Z][A-Z0-9_]*)=(.*)$/);
    if (m) vars[m[1]] = unquote(m[2]);
  }
  return vars;
}

export function parseOsRelease(text: string): OsRelease {
  const vars = parseOsReleaseVars(text);
  const id = (vars.ID ?? 'linux').toLowerCase();
  const idLike = (vars.ID_LIKE ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const name = vars.NAME ?? 'Linux';
  return {
    id,
    idLike,
    name,
    version: vars.VERSION_ID ?? '',
    prettyName: vars.PRETTY_NAME ?? name,
    family: osFamily(id, idLike),
  };
}
