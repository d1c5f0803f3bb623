/**
 * JSON from our API with the session cookie, for SWR and one-off reads. A failure throws an Error
 * carrying the API's message and the HTTP `status` (e.g. a 404 tells a page its record is gone).
 */
export async function fetchJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw Object.assign(new Error(body?.error?.message ?? `HTTP ${res.status}`), { status: res.status });
  }
  return (await res.json()) as T;
}
