import type { ExecOptions, ExecResult } from '../ssh/exec';
import { parseOsRelease, type OsRelease } from './os-release';
import type { InitSystem } from './plans';
import { defaultNginxLayout, nginxCommand, type NginxLayout } from '../nginx/layout';
import { cmd } from '../ssh/quote';

export type SudoStatus = 'root' | 'nopasswd' | 'password-required' | 'missing';

/** What one look at a server tells Gatehouse (the "test connection" result). */
export interface ConnectionReport {
  os: OsRelease | null;
  uid: number;
  sudo: SudoStatus;
  /** Root, or passwordless sudo: Gatehouse can install and configure. */
  canRunPrivileged: boolean;
  init: InitSystem;
  nginx: { installed: boolean; version: string | null; running: boolean };
  glances: { installed: boolean; version: string | null };
}

const SECTIONS = ['os-release', 'uid', 'sudo', 'nginx', 'nginx-running', 'init', 'glances'] as const;
type Section = (typeof SECTIONS)[number];

/**
 * One shell script, so the whole look costs one round trip (and, with a slow .bashrc, one
 * start-up). Every probe is guarded so a missing tool yields "missing", never a failed run.
 */
export function detectScript(layout: NginxLayout = defaultNginxLayout): string {
  const running = layout.pidFile
    ? cmd`test -s ${layout.pidFile} && kill -0 "$(cat ${layout.pidFile})" 2>/dev/null`
    : 'pgrep -x nginx >/dev/null 2>&1';
  const bin = cmd`${layout.binary}`;
  return [
    'PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"; export PATH',
    'echo "@@os-release"; cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release 2>/dev/null',
    'echo "@@uid"; id -u',
    'echo "@@sudo"; if [ "$(id -u)" = 0 ]; then echo root; elif ! command -v sudo >/dev/null 2>&1; then echo missing; ' +
      'elif sudo -n true </dev/null >/dev/null 2>&1; then echo nopasswd; else echo password-required; fi',
    `echo "@@nginx"; if command -v ${bin} >/dev/null 2>&1; then ${nginxCommand(layout, '-v')} 2>&1; else echo missing; fi`,
    `echo "@@nginx-running"; if ${running}; then echo yes; else echo no; fi`,
    'echo "@@init"; if [ -d /run/systemd/system ]; then echo systemd; ' +
      'elif command -v rc-service >/dev/null 2>&1 && [ -d /run/openrc ]; then echo openrc; else echo none; fi',
    // glances -V starts Python: bounded, in case a broken install hangs.
    'echo "@@glances"; if command -v glances >/dev/null 2>&1; then ' +
      '{ if command -v timeout >/dev/null 2>&1; then timeout 20 glances -V; else glances -V; fi; } 2>&1 | head -n 1; else echo missing; fi',
    'echo "@@end"',
  ].join('\n');
}

export function parseDetectOutput(stdout: string): ConnectionReport {
  const parts = new Map<Section, string>();
  let current: Section | null = null;
  let buf: string[] = [];
  for (const line of stdout.split('\n')) {
    const m = line.match(/^@@([a-z-]+)$/);
    if (m) {
      if (current) parts.set(current, buf.join('\n').trim());
      current = (SECTIONS as readonly string[]).includes(m[1]) ? (m[1] as Section) : null;
      buf = [];
    } else if (current) buf.push(line);
  }
  const get = (s: Section) => parts.get(s) ?? '';

  const osText = get('os-release');
  const uid = Number.parseInt(get('uid'), 10);
  const sudoRaw = get('sudo');
  const sudo: SudoStatus = (['root', 'nopasswd', 'password-required', 'missing'] as const).find((s) => s === sudoRaw) ?? 'missing';
  const nginxText = get('nginx');
  const nginxVersion = nginxText.match(/nginx\/(\d[\w.]*)/)?.[1] ?? null;
  const glancesText = get('glances');
  const initRaw = get('init');
  return {
    os: osText ? parseOsRelease(osText) : null,
    uid: Number.isNaN(uid) ? -1 : uid,
    sudo,
    canRunPrivileged: sudo === 'root' || sudo === 'nopasswd',
    init: initRaw === 'systemd' || initRaw === 'openrc' ? initRaw : 'none',
    nginx: { installed: nginxText !== '' && nginxText !== 'missing', version: nginxVersion, running: get('nginx-running') === 'yes' },
    glances: {
      installed: glancesText !== '' && glancesText !== 'missing',
      // 3.x: "Glances v3.3.1.1 with PsUtil v5.9.4"; 4.x: "Glances version:   4.1.2".
      version: glancesText.match(/Glances(?: version:)?\s+v?(\d[\d.]*)/i)?.[1] ?? null,
    },
  };
}

/** Looks at a server in one round trip (run as the login user; nothing is changed). */
export async function detectServer(
  conn: { exec(command: string, opts?: ExecOptions): Promise<ExecResult> },
  layout?: NginxLayout,
): Promise<ConnectionReport> {
  const result = await conn.exec(detectScript(layout), { timeoutMs: 60_000 });
  return parseDetectOutput(result.stdout);
}
