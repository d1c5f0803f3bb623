import { cmd, shq } from '../ssh/quote';
import { defaultNginxLayout, includeLine, MANAGED_FILES, nginxCommand, type NginxLayout } from '../nginx/layout';
import type { OsFamily } from './os-release';

/**
 * Install plans as data. A step is idempotent by construction: `check` exits 0 when the step's
 * effect is already in place, so a second run skips everything (see run-plan.ts).
 */
export interface PlanStep {
  name: string;
  /** Shell command; exit 0 means "already done". */
  check: string;
  run: string;
  privileged: boolean;
  timeoutMs?: number;
}

export interface InstallPlan {
  name: string;
  steps: PlanStep[];
}

export type InitSystem = 'systemd' | 'openrc' | 'none';
export type KnownFamily = Exclude<OsFamily, 'unknown'>;

export class UnsupportedOsError extends Error {
  readonly code = 'unsupported_os';
  constructor(what: string) {
    super(`Gatehouse has no install plan for this operating system (${what}). Supported: Debian/Ubuntu, RHEL/Fedora/Rocky/Alma, Alpine, SUSE, Arch.`);
    this.name = 'UnsupportedOsError';
  }
}

export const INSTALL_TIMEOUT_MS = 15 * 60_000;

/** The package-manager command that installs `packages` non-interactively. */
export function installCommand(family: KnownFamily, packages: string[]): string {
  const p = packages.map((x) => shq(x)).join(' ');
  switch (family) {
    case 'debian':
      // confold: keep an admin's existing config files instead of stopping to ask.
      return `export DEBIAN_FRONTEND=noninteractive; apt-get update -q && apt-get install -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold ${p}`;
    case 'rhel':
      // dnf on current releases, yum on old ones; EPEL only when the distro itself lacks the package.
      return (
        `if command -v dnf >/dev/null 2>&1; then pm=dnf; else pm=yum; fi; ` +
        `$pm install -y ${p} || { $pm install -y epel-release && $pm install -y ${p}; }`
      );
    case 'alpine':
      return `apk add --no-cache ${p}`;
    case 'suse':
      return `zypper --non-interactive install ${p}`;
    case 'arch':
      return `pacman -S --noconfirm --needed ${p}`;
  }
}

export function knownFamily(family: OsFamily): KnownFamily {
  if (family === 'unknown') throw new UnsupportedOsError('unknown distribution');
  return family;
}

/** A path that may appear unquoted in nginx.conf and inside awk -v without escaping. */
export function assertPlainPath(path: string, what: string): void {
  if (!/^\/[A-Za-z0-9._/-]*$/.test(path) || path.includes('..')) throw new Error(`${what} must be a plain absolute path, got ${JSON.stringify(path)}`);
}

// ------------------------------------------------------------------------------------ nginx

function nginxRunning(layout: NginxLayout): string {
  if (layout.pidFile) return cmd`test -s ${layout.pidFile} && kill -0 "$(cat ${layout.pidFile})" 2>/dev/null`;
  return `pgrep -x nginx >/dev/null 2>&1 || { test -s /run/nginx.pid && kill -0 "$(cat /run/nginx.pid)" 2>/dev/null; }`;
}

export function serviceSteps(init: InitSystem, label: string, service: string, running: string, startDirect: string): PlanStep[] {
  const s = shq(service);
  switch (init) {
    case 'systemd':
      return [{ name: `enable and start ${label} (systemd)`, check: `systemctl is-active --quiet ${s} && systemctl is-enabled --quiet ${s}`, run: `systemctl enable --now ${s}`, privileged: true }];
    case 'openrc':
      return [
        {
          name: `enable and start ${label} (OpenRC)`,
          check: `rc-service ${s} status >/dev/null 2>&1 && rc-update show default | grep -qw ${s}`,
          run: `{ rc-update show default | grep -qw ${s} || rc-update add ${s} default; } && { rc-service ${s} status >/dev/null 2>&1 || rc-service ${s} start; }`,
          privileged: true,
        },
      ];
    case 'none':
      return [{ name: `start ${label} (no service manager)`, check: running, run: startDirect, privileged: true }];
  }
}

export interface NginxPlanInput {
  family: OsFamily;
  init: InitSystem;
  layout?: Partial<NginxLayout>;
}

/**
 * The package with Nginx's TCP/UDP stream module where the distro ships it separately (Debian and
 * Ubuntu, RHEL/Fedora, Alpine); SUSE and Arch build it in. The packages' own config snippet loads
 * it (Debian modules-enabled/, RHEL /usr/share/nginx/modules/, Alpine /etc/nginx/modules/).
 */
export const STREAM_MODULE_PACKAGE: Partial<Record<KnownFamily, { name: string; installed: string }>> = {
  debian: { name: 'libnginx-mod-stream', installed: `dpkg-query -W -f='\${Status}' libnginx-mod-stream 2>/dev/null | grep -q 'install ok installed'` },
  rhel: { name: 'nginx-mod-stream', installed: 'rpm -q nginx-mod-stream >/dev/null 2>&1' },
  alpine: { name: 'nginx-mod-stream', installed: 'apk info -e nginx-mod-stream >/dev/null 2>&1' },
};

function streamModuleSteps(family: KnownFamily, layout: NginxLayout): PlanStep[] {
  const pkg = STREAM_MODULE_PACKAGE[family];
  if (!pkg) return [];
  // Built in (an nginx.org build: `--with-stream` without `=dynamic`), or the package is there.
  const builtIn = `${nginxCommand(layout, '-V')} 2>&1 | tr ' ' '\n' | grep -qx -- --with-stream`;
  return [{ name: `install the Nginx stream module (${pkg.name})`, check: `${builtIn} || ${pkg.installed}`, run: installCommand(family, [pkg.name]), privileged: true, timeoutMs: INSTALL_TIMEOUT_MS }];
}

/** Install and start Nginx, create the managed directory, include it from nginx.conf. */
export function nginxPlan(input: NginxPlanInput): InstallPlan {
  const family = knownFamily(input.family);
  const layout: NginxLayout = { ...defaultNginxLayout, ...input.layout };
  assertPlainPath(layout.managedDir, 'managedDir');
  assertPlainPath(layout.confPath, 'confPath');
  const dir = layout.managedDir;
  const entry = `${dir}/${MANAGED_FILES.entry}`;
  const upstreams = `${dir}/${MANAGED_FILES.upstreams}`;
  const domains = `${dir}/${MANAGED_FILES.domainsDir}`;
  const entryText =
    `# Managed by Gatehouse. Included once from the http block of ${layout.confPath}.\n` +
    `include ${upstreams};\ninclude ${domains}/*.conf;\n`;
  const line = includeLine(layout);
  const conf = layout.confPath;
  const test = nginxCommand(layout, '-t');

  const binaryCheck = layout.binary.startsWith('/') ? cmd`test -x ${layout.binary}` : cmd`command -v ${layout.binary} >/dev/null 2>&1`;
  return {
    name: 'nginx',
    steps: [
      { name: 'install the nginx package', check: binaryCheck, run: installCommand(family, ['nginx']), privileged: true, timeoutMs: INSTALL_TIMEOUT_MS },
      {
        name: `create the managed directory ${dir}`,
        check: cmd`test -d ${domains} && test -f ${entry} && test -f ${upstreams}`,
        run:
          cmd`mkdir -p ${domains} && { test -f ${upstreams} || printf '# Managed by Gatehouse.\\n' > ${upstreams}; }` +
          cmd` && { test -f ${entry} || printf '%s' ${entryText} > ${entry}; }`,
        privileged: true,
      },
      {
        name: `include the managed directory from ${conf}`,
        check: cmd`grep -qF ${line} ${conf}`,
        // Inserted right after the `http {` line; kept only if `nginx -t` passes, otherwise the
        // original file comes back byte for byte (written in place: owner and mode unchanged).
        run: [
          cmd`conf=${conf}; line=${`    ${line}`}`,
          `grep -Eq '^[[:space:]]*http[[:space:]]*[{]' "$conf" || { echo "no 'http {' line in $conf: add \\"$line\\" inside the http block by hand" >&2; exit 1; }`,
          `cp -p "$conf" "$conf.gatehouse-bak" || exit 1`,
          `awk -v line="$line" '!done && /^[[:space:]]*http[[:space:]]*[{]/ { print; print line; done = 1; next } { print }' "$conf" > "$conf.gatehouse-tmp" && cat "$conf.gatehouse-tmp" > "$conf"; rc=$?; rm -f "$conf.gatehouse-tmp"`,
          `if [ $rc -eq 0 ] && ${test}; then rm -f "$conf.gatehouse-bak"; exit 0; fi`,
          `cat "$conf.gatehouse-bak" > "$conf" && rm -f "$conf.gatehouse-bak"`,
          `echo "nginx -t failed with the include line, so $conf was restored unchanged" >&2; exit 1`,
        ].join('\n'),
        privileged: true,
      },
      ...serviceSteps(input.init, 'nginx', layout.service, nginxRunning(layout), nginxCommand(layout)),
      // For TCP/UDP streams. Last, so the steps above keep their places; Nginx loads a dynamic
      // module at a reload, which the first stream deploy does (it also adds the top-level
      // include of streams.conf, lib/proxy/stream-deploy.ts).
      ...streamModuleSteps(family, layout),
    ],
  };
}

