import { describe, expect, it } from 'vitest';
import { osFamily, parseOsRelease, parseOsReleaseVars } from '@/lib/provision/os-release';
import { nginxPlan } from '@/lib/provision/plans';

/** /etc/os-release as shipped (trimmed to the fields that matter plus some noise). */
const SAMPLES = {
  debian12: `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`,
  ubuntu2404: `PRETTY_NAME="Ubuntu 24.04.1 LTS"
NAME="Ubuntu"
VERSION_ID="24.04"
VERSION="24.04.1 LTS (Noble Numbat)"
VERSION_CODENAME=noble
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
UBUNTU_CODENAME=noble
LOGO=ubuntu-logo
`,
  rocky9: `NAME="Rocky Linux"
VERSION="9.4 (Blue Onyx)"
ID="rocky"
ID_LIKE="rhel centos fedora"
VERSION_ID="9.4"
PLATFORM_ID="platform:el9"
PRETTY_NAME="Rocky Linux 9.4 (Blue Onyx)"
ANSI_COLOR="0;32"
LOGO="fedora-logo-icon"
CPE_NAME="cpe:/o:rocky:rocky:9::baseos"
`,
  fedora40: `NAME="Fedora Linux"
VERSION="40 (Server Edition)"
ID=fedora
VERSION_ID=40
VERSION_CODENAME=""
PLATFORM_ID="platform:f40"
PRETTY_NAME="Fedora Linux 40 (Server Edition)"
ANSI_COLOR="0;38;2;60;110;180"
VARIANT="Server Edition"
VARIANT_ID=server
`,
  alpine320: `NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.20.3
PRETTY_NAME="Alpine Linux v3.20"
HOME_URL="https://alpinelinux.org/"
BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"
`,
  leap156: `NAME="openSUSE Leap"
VERSION="15.6"
ID="opensuse-leap"
ID_LIKE="suse opensuse"
VERSION_ID="15.6"
PRETTY_NAME="openSUSE Leap 15.6"
ANSI_COLOR="0;32"
CPE_NAME="cpe:/o:opensuse:leap:15.6"
`,
  arch: `NAME="Arch Linux"
PRETTY_NAME="Arch Linux"
ID=arch
BUILD_ID=rolling
ANSI_COLOR="38;2;23;147;209"
HOME_URL="https://archlinux.org/"
LOGO=archlinux-logo
`,
};

describe('parseOsRelease', () => {
  it.each([
    ['debian12', { id: 'debian', idLike: [], name: 'Debian GNU/Linux', version: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)', family: 'debian' }],
    ['ubuntu2404', { id: 'ubuntu', idLike: ['debian'], name: 'Ubuntu', version: '24.04', prettyName: 'Ubuntu 24.04.1 LTS', family: 'debian' }],
    ['rocky9', { id: 'rocky', idLike: ['rhel', 'centos', 'fedora'], name: 'Rocky Linux', version: '9.4', prettyName: 'Rocky Linux 9.4 (Blue Onyx)', family: 'rhel' }],
    ['fedora40', { id: 'fedora', idLike: [], name: 'Fedora Linux', version: '40', prettyName: 'Fedora Linux 40 (Server Edition)', family: 'rhel' }],
    ['alpine320', { id: 'alpine', idLike: [], name: 'Alpine Linux', version: '3.20.3', prettyName: 'Alpine Linux v3.20', family: 'alpine' }],
    ['leap156', { id: 'opensuse-leap', idLike: ['suse', 'opensuse'], name: 'openSUSE Leap', version: '15.6', prettyName: 'openSUSE Leap 15.6', family: 'suse' }],
    ['arch', { id: 'arch', idLike: [], name: 'Arch Linux', version: '', prettyName: 'Arch Linux', family: 'arch' }],
  ] as const)('%s', (key, expected) => {
    expect(parseOsRelease(SAMPLES[key])).toEqual(expected);
  });

  it('falls back through ID_LIKE in order, and knows derivatives', () => {
    expect(osFamily('linuxmint', ['ubuntu', 'debian'])).toBe('debian');
    expect(osFamily('almalinux', ['rhel', 'centos', 'fedora'])).toBe('rhel');
    expect(osFamily('ol', ['fedora'])).toBe('rhel');
    expect(osFamily('amzn', ['centos', 'rhel', 'fedora'])).toBe('rhel');
    expect(osFamily('sles', [])).toBe('suse');
    expect(osFamily('opensuse-tumbleweed', ['opensuse', 'suse'])).toBe('suse');
    expect(osFamily('manjaro', ['arch'])).toBe('arch');
    expect(osFamily('somethingnew', ['ubuntu'])).toBe('debian');
    expect(osFamily('nixos', [])).toBe('unknown');
    expect(osFamily('Debian', [])).toBe('debian');
  });

  it('reads the shell quoting os-release(5) allows', () => {
    const vars = parseOsReleaseVars(
      [
        'NAME="Quoted \\"Name\\" with \\$dollar and \\`tick\\` and \\\\ slash"',
        "PRETTY_NAME='single $quoted \"text\"'",
        'ID=plain',
        '# a comment',
        '',
        '   ',
        'VERSION_ID="1.0" # trailing comment',
        'lowercase=ignored',
        'ID_LIKE="a  b\tc"',
      ].join('\r\n'),
    );
    expect(vars).toEqual({
      NAME: 'Quoted "Name" with $dollar and `tick` and \\ slash',
      PRETTY_NAME: 'single $quoted "text"',
      ID: 'plain',
      VERSION_ID: '1.0',
      ID_LIKE: 'a  b\tc',
    });
    expect(parseOsRelease('ID_LIKE="a  b\tc"').idLike).toEqual(['a', 'b', 'c']);
  });

  it('an empty or unrelated file yields an unknown Linux', () => {
    expect(parseOsRelease('')).toEqual({ id: 'linux', idLike: [], name: 'Linux', version: '', prettyName: 'Linux', family: 'unknown' });
  });
});

describe('os-release → family → nginx install command', () => {
  it.each([
    ['debian12', /^export DEBIAN_FRONTEND=noninteractive; apt-get update -q && apt-get install -y -q .* 'nginx'$/],
    ['ubuntu2404', /apt-get install -y -q .* 'nginx'$/],
    ['rocky9', /^if command -v dnf >\/dev\/null 2>&1; then pm=dnf; else pm=yum; fi; \$pm install -y 'nginx' \|\| \{ \$pm install -y epel-release && \$pm install -y 'nginx'; \}$/],
    ['fedora40', /\$pm install -y 'nginx'/],
    ['alpine320', /^apk add --no-cache 'nginx'$/],
    ['leap156', /^zypper --non-interactive install 'nginx'$/],
    ['arch', /^pacman -S --noconfirm --needed 'nginx'$/],
  ] as const)('%s', (key, install) => {
    const plan = nginxPlan({ family: parseOsRelease(SAMPLES[key]).family, init: 'systemd' });
    expect(plan.steps[0].name).toBe('install the nginx package');
    expect(plan.steps[0].run).toMatch(install);
  });
});
