import fs from 'node:fs';
import path from 'node:path';

/**
 * Calls the real /api/v1 route handlers in-process: the path is matched against the files under
 * app/api/v1 the way Next.js routes them ([id] and [...rest] segments), and the exported handler
 * for the method runs with a real Request. Bearer tokens authenticate exactly as in production.
 */
interface RouteFile {
  pattern: RegExp;
  names: string[];
  file: string;
  specificity: number;
}

const root = path.resolve(__dirname, '../../app/api/v1');

function collect(dir: string, segments: string[] = []): RouteFile[] {
  const out: RouteFile[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) out.push(...collect(path.join(dir, entry.name), [...segments, entry.name]));
    else if (entry.name === 'route.ts') {
      const names: string[] = [];
      let specificity = 0;
      const re = segments
        .map((s) => {
          const catchAll = /^\[\.\.\.(\w+)\]$/.exec(s);
          if (catchAll) return names.push(catchAll[1]), '(.+)';
          const dyn = /^\[(\w+)\]$/.exec(s);
          if (dyn) return names.push(dyn[1]), (specificity += 1), '([^/]+)';
          specificity += 10;
          return s.replace(/[.]/g, '\\.');
        })
        .join('/');
      out.push({ pattern: new RegExp(`^/${re}$`), names, file: path.join(dir, entry.name), specificity: segments.some((s) => s.startsWith('[...')) ? -1 : specificity });
    }
  }
  return out;
}

let routes: RouteFile[] | undefined;

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

/** The route module's handler for a method and path (as Next.js would pick it), or null when the file has no such export (405). */
export async function routeHandler(method: string, urlPath: string) {
  routes ??= collect(root).sort((a, b) => b.specificity - a.specificity);
  const url = new URL(urlPath, 'http://localhost/api/v1/');
  const rel = url.pathname.replace(/^\/api\/v1/, '');
  const route = routes.find((r) => r.pattern.test(rel));
  if (!route) throw new Error(`no route for ${rel}`);
  const m = route.pattern.exec(rel)!;
  const params = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
  const mod = await import(route.file);
  const handler = mod[method] as ((req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>) | undefined;
  return { url, params, handler: handler ?? null, file: route.file };
}

export async function api<T = any>(
  method: string,
  urlPath: string,
  opts: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  routes ??= collect(root).sort((a, b) => b.specificity - a.specificity);
  const url = new URL(urlPath, 'http://localhost/api/v1/');
  const rel = url.pathname.replace(/^\/api\/v1/, '');
  const route = routes.find((r) => r.pattern.test(rel));
  if (!route) throw new Error(`no route for ${rel}`);
  const m = route.pattern.exec(rel)!;
  const params = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
  const mod = await import(route.file);
  const handler = mod[method];
  if (!handler) return { status: 405, body: null as T, text: '', headers: new Headers() };
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  const request = new Request(url, { method, headers, body });
  const res: Response = await handler(request, { params: Promise.resolve(params) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed as T, text, headers: res.headers };
}
