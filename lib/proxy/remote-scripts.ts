/**
 * Shell scripts run on the target server. They take every value as an argument or from a list
 * file in the private staging directory (paths there are grammar-checked names), never spliced
 * into the script text. POSIX sh, Linux /proc, coreutils or busybox.
 */

/** In the managed directory: held (flock) by the apply script while it changes files. */
export const LOCK_FILE = '.gatehouse.lock';
/** How long an apply waits for another one to finish (the reload wait alone is up to 30 s). */
const LOCK_WAIT_SECONDS = 60;

/**
 * The deploy step, run as root: `sh -c APPLY gh-apply STAGING MANAGED_DIR MAIN_CONF PID_FILE nginx-command…`.
 * Backs up every file it will replace or remove (one tar), copies the staged files in, runs
 * `nginx -t` and on failure puts the backups back. On success it sends the master SIGHUP (what `nginx -s reload` does, without parsing the whole configuration a third
 * time) and waits until workers of the new generation run and the old ones stopped listening; if
 * that does not happen the previous files come back too, and the lines Nginx wrote to its error
 * log meanwhile (e.g. `bind() … failed (98: Address already in use)`) are the message. Markers on
 * stdout (\036GH …\036) say which step it is in (testing, tested, reloading, reloaded) or which
 * failed; `nginx -t` lines come tagged \036GH-T\036 as they are printed; Nginx's own messages
 * about a failure go to stderr.
 *
 * It finishes on its own whatever happens to its caller. When Gatehouse dies or the connection
 * drops, sshd closes the script's stdout and stderr (and a sudo with a pty hangs up its
 * terminal): SIGPIPE at the next `say` would kill it between the swap and the reload or the
 * rollback, leaving files on disk that Nginx never loaded or a half-restored set. So HUP and PIPE
 * are ignored (a write to a closed stream just fails) and the script always ends with either the
 * new files tested and loaded or the previous ones back. An flock on LOCK_FILE in the managed
 * directory makes one apply at a time: a deploy after a restart waits for an orphaned one (and
 * HASHES_SCRIPT waits for it before comparing files). It removes the staging directory on exit.
 */
export const APPLY_SCRIPT = `set -u
trap '' HUP PIPE
S=$1; M=$2; MAIN=$3; pidfile=$4; shift 4
# The staging directory (private keys among its files) goes on every way out, caller or not.
trap 'rm -rf "$S"' EXIT
umask 022
say() { printf '\\036GH %s\\036\\n' "$*" 2>/dev/null; }
mkdir -p "$M" && cd "$M" || { echo "cannot use the managed directory $M" >&2; say fail setup; exit 20; }
# flock(1) is in util-linux and busybox (whose flock has no -w: it waits for as long as it takes);
# without it there is no lock (one Gatehouse runs one task per server at a time anyway).
if command -v flock >/dev/null 2>&1; then
  exec 9>>${LOCK_FILE} || { echo "cannot open the lock file $M/${LOCK_FILE}" >&2; say fail setup; exit 20; }
  if ! flock -n 9 2>/dev/null && ! { if flock --version >/dev/null 2>&1; then flock -w ${LOCK_WAIT_SECONDS} 9; else flock 9; fi; }; then
    echo "Another deploy was still putting files in place on this server (it held $M/${LOCK_FILE} for ${LOCK_WAIT_SECONDS} s). Nothing was changed; deploy again once it has finished." >&2
    say fail setup; exit 20
  fi
fi
mkdir -p domains certs access && chmod 0700 certs && chmod 0755 access || { say fail setup; exit 20; }
[ -f http.conf ] || printf '# Managed by Gatehouse. Included once from the http block of %s.\\ninclude %s/upstreams.conf;\\ninclude %s/domains/*.conf;\\n' "$MAIN" "$M" "$M" > http.conf
[ -f upstreams.conf ] || printf '# Managed by Gatehouse.\\n' > upstreams.conf
# Which targets exist now (backed up into one tar) and which are new (removed on rollback).
# Bulk commands, not one per file: a fork per file costs seconds on a server with 1,000 domains.
while read -r mode p; do if [ -e "$p" ]; then echo "$p" >&3; else echo "$p" >&4; fi; done < "$S/install.list" 3> "$S/had" 4> "$S/new"
while read -r p; do if [ -e "$p" ]; then echo "$p"; fi; done < "$S/remove.list" >> "$S/had"
if [ -s "$S/had" ]; then tar -cf "$S/backup.tar" -T "$S/had" || { say fail setup; exit 20; }; fi
rollback() {
  if [ -s "$S/new" ]; then xargs rm -f < "$S/new"; fi
  if [ -s "$S/had" ]; then tar -xpf "$S/backup.tar"; fi
}
# Staged files already carry their mode; umask 022 keeps it for new files, and keys are set
# to 0600 again in case an existing one was loosened by hand.
if [ -s "$S/install.list" ]; then
  if ! { chown -R 0:0 "$S/files" && cp -R "$S/files/." . ; }; then rollback; say fail install; exit 21; fi
  while read -r mode p; do if [ "$mode" = 0600 ]; then echo "$p"; fi; done < "$S/install.list" > "$S/keys"
  if [ -s "$S/keys" ]; then xargs chmod 0600 < "$S/keys"; fi
  # Password files (access lists) are read by Nginx's workers at each request: mode 0640 with
  # the workers' group, from nginx.conf's \`user\` directive (Nginx's default user: nobody).
  while read -r mode p; do if [ "$mode" = 0640 ]; then echo "$p"; fi; done < "$S/install.list" > "$S/shared"
  if [ -s "$S/shared" ]; then
    wg=$(sed -n 's/^[[:space:]]*user[[:space:]][[:space:]]*\\([^;[:space:]]*\\)[[:space:]]*\\([^;[:space:]]*\\)[[:space:]]*;.*/\\1 \\2/p' "$MAIN" 2>/dev/null | head -n 1)
    wu=\${wg%% *}; wgrp=\${wg#* }
    [ -n "$wu" ] || wu=nobody
    [ -n "$wgrp" ] || wgrp=$(id -gn "$wu" 2>/dev/null)
    if [ -z "$wgrp" ] || ! xargs chgrp "$wgrp" < "$S/shared" || ! xargs chmod 0640 < "$S/shared"; then
      rollback; echo "could not give the access-list password files to the group of Nginx's workers ($wu)" >&2; say fail install; exit 21
    fi
  fi
fi
if [ -s "$S/remove.list" ]; then xargs rm -f < "$S/remove.list"; fi
# nginx -t, its lines passed on as they come (each tagged, so Gatehouse logs them at once) and
# kept for the error message.
say testing
( "$@" -t 2>&1; echo "$?" > "$S/test.rc" ) | while IFS= read -r line; do printf '\\036GH-T\\036%s\\n' "$line" 2>/dev/null; printf '%s\\n' "$line" >> "$S/test.out"; done
if [ "$(cat "$S/test.rc" 2>/dev/null)" != 0 ]; then
  rollback
  cat "$S/test.out" >&2 2>/dev/null
  say fail test; exit 22
fi
say tested
# The PID file: the layout's, else nginx.conf's \`pid\` directive, else the distro defaults.
[ -n "$pidfile" ] || pidfile=$(sed -n 's/^[[:space:]]*pid[[:space:]][[:space:]]*\\([^;[:space:]]*\\)[[:space:]]*;.*/\\1/p' "$MAIN" 2>/dev/null | head -n 1)
case "$pidfile" in /*) ;; *) pidfile=/run/nginx.pid; [ -s "$pidfile" ] || pidfile=/var/run/nginx.pid ;; esac
master=$(cat "$pidfile" 2>/dev/null)
case "$master" in ''|*[!0-9]*) master= ;; esac
if [ -z "$master" ] || ! kill -0 "$master" 2>/dev/null; then
  rollback
  echo "Nginx is not running (no live master process in $pidfile): the new files passed nginx -t but were not loaded, so the previous ones were put back. Start Nginx, then deploy again." >&2
  say fail reload; exit 23
fi
# Children of the master from /proc (cat goes on past processes that vanish; awk would stop).
kids() { cat /proc/[0-9]*/stat 2>/dev/null | awk -v m="$1" '$4 == m { print $1 }'; }
old=$(kids "$master")
# Nginx's error log (nginx.conf's first absolute \`error_log\`, else the distro's): how far it
# reaches now, so a reload that fails can quote what Nginx wrote about it (e.g. bind() failed).
errlog=$(sed -n 's/^[[:space:]]*error_log[[:space:]][[:space:]]*\\(\\/[^;[:space:]]*\\).*/\\1/p' "$MAIN" 2>/dev/null | head -n 1)
[ -n "$errlog" ] || errlog=/var/log/nginx/error.log
logsize=$(wc -c < "$errlog" 2>/dev/null | tr -d ' ')
case "$logsize" in ''|*[!0-9]*) logsize=0 ;; esac
say reloading
kill -HUP "$master" || { rollback; echo "could not signal the Nginx master $master" >&2; say fail reload; exit 23; }
# The master tells the old workers to quit only once it has parsed the new configuration and
# started new workers; they retitle themselves "... is shutting down". So wait for every old
# worker to be gone or shutting down (shell builtins only: forks would slow the master's
# parse on a small machine), then confirm a worker of the new generation runs.
i=0
while :; do
  busy=0
  for p in $old; do
    line=
    if [ -r "/proc/$p/cmdline" ] && read -r line < "/proc/$p/cmdline" 2>/dev/null; then :; fi
    case "$line" in ''|*"shutting down"*) ;; *) busy=1 ;; esac
  done
  if [ "$busy" = 0 ]; then
    fresh=0
    for p in $(kids "$master"); do case " $(echo $old) " in *" $p "*) ;; *) fresh=1 ;; esac; done
    [ "$fresh" = 1 ] && break
  fi
  i=$((i+1))
  if [ "$i" -ge 1500 ]; then
    rollback; kill -HUP "$master"
    # Its new lines of level error and worse, without the time and pid prefix, each said once
    # (a failed bind() is retried and logged five times).
    why=$(tail -c +$((logsize + 1)) "$errlog" 2>/dev/null | grep -E '\\[(emerg|alert|crit|error)\\]' | sed 's/^[0-9/]* [0-9:]* \\(\\[[a-z]*\\]\\) [0-9]*#[0-9]*: /\\1 /' | awk '!seen[$0]++' | tail -n 3)
    if [ -n "$why" ]; then
      printf 'Nginx did not start workers with the new configuration within 30 s; the previous files were put back. Its error log (%s) says:\\n%s\\n' "$errlog" "$why" >&2
    else
      echo "Nginx did not start workers with the new configuration within 30 s, and wrote nothing about it to $errlog; the previous files were put back." >&2
    fi
    say fail reload; exit 24
  fi
  sleep 0.02
done
say reloaded
`;

/** `sh -c PROBE gh-probe PORT host…`: one HTTP request per host to the local Nginx, printing "host code". */
export const PROBE_SCRIPT = `port=$1; shift
# All hosts at once (each answer is one short line, written whole), then wait for them all.
if command -v curl >/dev/null 2>&1; then
  for h in "$@"; do ( c=$(curl -s -o /dev/null -m 5 -w '%{http_code}' -H "Host: $h" "http://127.0.0.1:$port/" 2>/dev/null); echo "$h \${c:-000}" ) & done
elif command -v wget >/dev/null 2>&1; then
  for h in "$@"; do ( c=$(wget -q -S -O /dev/null -T 5 --header "Host: $h" "http://127.0.0.1:$port/" 2>&1 | awk '/^ *HTTP\\//{c=$2} END{print c}'); echo "$h \${c:-000}" ) & done
else
  echo "GH-NOPROBE"
fi
wait
`;

/** `sh -c RESOLVE gh-resolve host…`: getent ahosts per name, each section headed by a marker line. */
export const RESOLVE_SCRIPT = `T=; command -v timeout >/dev/null 2>&1 && T="timeout 3"
for h in "$@"; do printf '\\036GH-HOST %s\\n' "$h"; $T getent ahosts "$h" 2>/dev/null; done
true
`;

/**
 * \`sh -c HASHES gh-hashes MANAGED_DIR [path…]\`: "sha256  path" for the given paths, or for every
 * managed file (upstreams.conf, domains/*.conf, certs/*.crt|key, access/*.htpasswd) when none is given.
 */
export const HASHES_SCRIPT = `cd "$1" 2>/dev/null || exit 0
shift
# An apply still running (e.g. orphaned by a Gatehouse restart) finishes first: its files, or the
# previous ones, are what to compare with.
if [ -e ${LOCK_FILE} ] && command -v flock >/dev/null 2>&1; then
  if flock --version >/dev/null 2>&1; then flock -s -w ${LOCK_WAIT_SECONDS} ${LOCK_FILE} true; else flock -s ${LOCK_FILE} true; fi
fi
# One sha256sum for all files (a fork per file costs seconds on a big server); missing ones only
# print to stderr.
if [ $# -gt 0 ]; then
  sha256sum -- "$@" 2>/dev/null
else
  sha256sum -- upstreams.conf domains/*.conf certs/*.crt certs/*.key access/*.htpasswd 2>/dev/null
fi
true
`;
