import { cmd, shq } from '../ssh/quote';
import type { OsFamily } from './os-release';
import {
  assertPlainPath,
  INSTALL_TIMEOUT_MS,
  installCommand,
  knownFamily,
  serviceSteps,
  type InitSystem,
  type InstallPlan,
  type KnownFamily,
  type PlanStep,
} from './plans';

export interface GlancesPlanInput {
  family: OsFamily;
  init: InitSystem;
  /** Address Glances listens on. Its API has no auth of its own: choose a private address. */
  bind: string;
  port?: number;
  binary?: string;
  /** systemd unit / OpenRC script name (ours, so the distro's own glances service is untouched). */
  service?: string;
  /** Used only without a service manager. */
  pidFile?: string;
  logFile?: string;
}

// The API server needs a web framework the base package may only recommend: bottle for
// Glances 3, FastAPI + uvicorn for Glances 4 (Arch ships 4).
const PACKAGES: Record<KnownFamily, string[]> = {
  debian: ['glances'],
  rhel: ['glances'],
  alpine: ['glances', 'py3-bottle'],
  suse: ['glances'],
  arch: ['glances', 'python-fastapi', 'python-uvicorn', 'python-jinja'],
};

/** Install Glances and run its REST API (`-w --disable-webui`) as a service. */
export function glancesPlan(input: GlancesPlanInput): InstallPlan {
  const family = knownFamily(input.family);
  const port = input.port ?? 61208;
  const { bind } = input;
  if (!/^[A-Za-z0-9.:-]+$/.test(bind)) throw new Error(`bind must be an address, got ${JSON.stringify(bind)}`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`bad port ${port}`);
  const binary = input.binary ?? 'glances';
  const service = input.service ?? 'gatehouse-glances';
  if (!/^[A-Za-z0-9_.-]+$/.test(service)) throw new Error(`bad service name ${JSON.stringify(service)}`);
  const pidFile = input.pidFile ?? `/run/${service}.pid`;
  const logFile = input.logFile ?? `/var/log/${service}.log`;
  assertPlainPath(pidFile, 'pidFile');
  assertPlainPath(logFile, 'logFile');
  const args = `-w --disable-webui -B ${bind} -p ${port}`;
  const findBinary = cmd`g=$(command -v ${binary}) || { echo ${`${binary} not found`} >&2; exit 1; }`;

  const install: PlanStep = {
    name: 'install the glances package',
    check: cmd`command -v ${binary} >/dev/null 2>&1`,
    run: installCommand(family, PACKAGES[family]),
    privileged: true,
    timeoutMs: INSTALL_TIMEOUT_MS,
  };

  if (input.init === 'systemd') {
    const unit = `/etc/systemd/system/${service}.service`;
    const lines = ['[Unit]', 'Description=Glances API for Gatehouse', 'After=network-online.target', '', '[Service]'];
    const tail = ['Restart=on-failure', '', '[Install]', 'WantedBy=multi-user.target'];
    return {
      name: 'glances',
      steps: [
        install,
        {
          name: `write the ${service} unit`,
          check: cmd`grep -qF -- ${`${args}`} ${unit}`,
          run: [
            findBinary,
            `printf '%s\\n' ${lines.map((l) => shq(l)).join(' ')} "ExecStart=$g ${args}" ${tail.map((l) => shq(l)).join(' ')} > ${shq(unit)}`,
            // try-restart: a running old configuration picks up new arguments; a stopped one stays stopped.
            cmd`systemctl daemon-reload && systemctl try-restart ${service}`,
          ].join('\n'),
          privileged: true,
        },
        ...serviceSteps('systemd', 'glances', service, '', ''),
      ],
    };
  }

  if (input.init === 'openrc') {
    const script = `/etc/init.d/${service}`;
    return {
      name: 'glances',
      steps: [
        install,
        {
          name: `write the ${service} init script`,
          check: cmd`grep -qF -- ${`command_args="${args}"`} ${script}`,
          run: [
            findBinary,
            `printf '%s\\n' '#!/sbin/openrc-run' 'description="Glances API for Gatehouse"' "command=\\"$g\\"" ${shq(`command_args="${args}"`)} 'command_background=true' ${shq(`pidfile="${pidFile}"`)} 'depend() { need net; }' > ${shq(script)}`,
            cmd`chmod 755 ${script}`,
            cmd`if rc-service ${service} status >/dev/null 2>&1; then rc-service ${service} restart; fi`,
          ].join('\n'),
          privileged: true,
        },
        ...serviceSteps('openrc', 'glances', service, '', ''),
      ],
    };
  }

  // No service manager (containers): start it detached, remember the PID, and wait until the
  // port answers so a crash at start-up (a missing web framework) fails the step.
  const probeHost = bind === '0.0.0.0' ? '127.0.0.1' : bind === '::' ? '::1' : bind;
  const running = cmd`test -s ${pidFile} && p=$(cat ${pidFile}) && kill -0 "$p" 2>/dev/null && tr '\\000' ' ' < /proc/"$p"/cmdline | grep -qF -- ${args}`;
  const start = [
    cmd`pid=${pidFile}; log=${logFile}`,
    `if test -s "$pid"; then kill "$(cat "$pid")" 2>/dev/null; fi`,
    findBinary,
    `if command -v setsid >/dev/null 2>&1; then s=setsid; else s=; fi`,
    // setsid: its own session, so nothing that ends our command's process group can reach it.
    `nohup $s "$g" ${args} >"$log" 2>&1 </dev/null &`,
    `echo $! > "$pid"`,
    `py=$(command -v python3 || command -v python) || exit 0`,
    `i=0; while [ $i -lt 150 ]; do`,
    `  kill -0 "$(cat "$pid")" 2>/dev/null || { echo "glances exited at start-up:" >&2; tail -n 20 "$log" >&2; exit 1; }`,
    `  "$py" -c 'import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 1)' ${shq(probeHost)} ${port} 2>/dev/null && exit 0`,
    `  sleep 0.2; i=$((i+1))`,
    `done`,
    `echo "glances did not listen on port ${port} within 30 s" >&2; tail -n 20 "$log" >&2; exit 1`,
  ].join('\n');
  return { name: 'glances', steps: [install, ...serviceSteps('none', 'glances', service, running, start)] };
}
