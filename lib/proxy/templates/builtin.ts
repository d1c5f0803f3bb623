/**
 * The built-in templates, in the same Liquid dialect and with the same context as admins' own
 * (see TemplateContext in ../template-context.ts). `{%-` trims the line break before a tag, which
 * keeps the output free of blank lines left behind by conditions.
 */
import type { Template } from '../types';

export const BUILTIN_HTTP_ID = 'builtin-http';
export const BUILTIN_SSL_ID = 'builtin-ssl';

const HEADER = `# Managed by Gatehouse for {{ domain.fqdn }}. Manual edits are overwritten on the next deploy.
{%- if acme.pending %}
# The ACME certificate is not issued yet: HTTP only until it is, so the challenge can be answered.
{%- endif %}`;

// Every HTTP server block answers HTTP-01 challenges itself, even when it redirects everything
// else to HTTPS: renewal must never depend on the HTTPS side being healthy. `^~` wins over regex
// locations an admin's template might add.
const ACME_LOCATION = `    location ^~ /.well-known/acme-challenge/ {
        root {{ acme.root }};
        default_type text/plain;
    }`;

// HSTS and custom directives sit in the same block as our proxy_set_header lines because Nginx
// drops inherited add_header/proxy_set_header lines as soon as a block sets its own.
// Without websockets "Connection" is cleared so upstream keepalive connections can be reused.
// `v` is the Liquid variable holding the block's settings (`domain` or a `location`), `pass` the
// upstream name expression. Access control sits in the blocks, not the server, so the ACME
// location stays open.
function proxyBody(v: string, pass: string, hsts: boolean): string {
  return `        proxy_pass http://{{ ${pass} }};
        proxy_http_version 1.1;
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
{%- if ${v}.websocket %}
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $gh_connection_upgrade;
{%- else %}
        proxy_set_header Connection "";
{%- endif %}${hstsLine(hsts)}
{%- for directive in domain.customDirectives %}
        {{ directive }}
{%- endfor %}`;
}

function hstsLine(hsts: boolean): string {
  return hsts
    ? `
{%- if domain.ssl.hsts %}
        add_header Strict-Transport-Security "max-age=63072000" always;
{%- endif %}`
    : '';
}

function accessLines(v: string): string {
  return `
{%- for line in ${v}.accessControl %}
        {{ line }}
{%- endfor %}`;
}

/** `location /`: the domain's redirect or its upstream. */
function proxyLocation(hsts: boolean): string {
  return `    location / {${accessLines('domain')}
{%- if domain.redirect %}${hstsLine(hsts)}
        return {{ domain.redirect.code }} {{ domain.redirect.target }};
{%- else %}
${proxyBody('domain', 'upstream.name', hsts)}
{%- endif %}
    }`;
}

/** The domain's extra path prefixes, each to its own pool or redirect. */
function extraLocations(hsts: boolean): string {
  return `
{%- for location in domain.locations %}

    location {{ location.path }} {${accessLines('location')}
        client_max_body_size {{ location.clientMaxBodySize }};
{%- if location.redirect %}${hstsLine(hsts)}
        return {{ location.redirect.code }} {{ location.redirect.target }};
{%- else %}
${proxyBody('location', 'location.upstream', hsts)}
{%- endif %}
    }
{%- endfor %}`;
}

const HTTP_SERVER_HEAD = `server {
    listen {{ listen.http }};
    server_name {{ domain.serverNames }};
    client_max_body_size {{ domain.clientMaxBodySize }};
{%- if domain.logs.access %}
    access_log {{ domain.logs.access }};
{%- endif %}
{%- if domain.logs.error %}
    error_log {{ domain.logs.error }};
{%- endif %}

${ACME_LOCATION}`;

export const BUILTIN_HTTP_BODY = `${HEADER}
${HTTP_SERVER_HEAD}

${proxyLocation(false)}${extraLocations(false)}
}
`;

// http2: Nginx 1.25.1 moved it from a listen parameter to its own directive; older versions (Debian
// 12 ships 1.22) only know the listen form. With the listen form HTTP/2 is a property of the port,
// so one domain asking for it turns it on for every SSL domain on that port.
// TLS settings follow Mozilla's "intermediate" profile.
export const BUILTIN_SSL_BODY = `${HEADER}
${HTTP_SERVER_HEAD}
{%- if domain.ssl.forceHttps %}

    location / {
        return 301 https://$host{{ listen.httpsRedirectPort }}$request_uri;
    }
{%- else %}

${proxyLocation(false)}${extraLocations(false)}
{%- endif %}
}

server {
{%- if nginx.http2Directive %}
    listen {{ listen.https }} ssl;
{%- if domain.ssl.http2 %}
    http2 on;
{%- endif %}
{%- else %}
    listen {{ listen.https }} ssl{% if domain.ssl.http2 %} http2{% endif %};
{%- endif %}
    server_name {{ domain.serverNames }};
    client_max_body_size {{ domain.clientMaxBodySize }};
{%- if domain.logs.access %}
    access_log {{ domain.logs.access }};
{%- endif %}
{%- if domain.logs.error %}
    error_log {{ domain.logs.error }};
{%- endif %}

    ssl_certificate {{ domain.ssl.certificatePath }};
    ssl_certificate_key {{ domain.ssl.keyPath }};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384;
    ssl_prefer_server_ciphers off;
    ssl_session_cache shared:gh_ssl:10m;
    ssl_session_timeout 1d;
    ssl_session_tickets off;

${proxyLocation(true)}${extraLocations(true)}
}
`;

/** The built-in templates as template records; the database may hold rows with these ids. */
export const BUILTIN_TEMPLATES: readonly Template[] = [
  { id: BUILTIN_HTTP_ID, name: 'builtin-http', kind: 'http', body: BUILTIN_HTTP_BODY, builtin: true },
  { id: BUILTIN_SSL_ID, name: 'builtin-ssl', kind: 'ssl', body: BUILTIN_SSL_BODY, builtin: true },
];
