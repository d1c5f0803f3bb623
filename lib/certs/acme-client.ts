/**
 * acme-client, set up once for Gatehouse: the account key (created on first use, sealed in
 * settings), the directory from settings/env, and a response hook that keeps the last ACME
 * problem document per issuance (acme-client itself throws only its `detail`, see
 * acme-problems.ts) and stops acme-client from sleeping out a rate limit's Retry-After inside
 * a task: those can be days long, and the renewal job's own backoff retries later instead.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import * as acme from 'acme-client';
import { atomically } from '../db';
import { getEffectiveSettings, saveAcmeAccountKey } from '../settings/service';
import type { AcmeProblem } from './acme-problems';

interface ProblemScope {
  problem: AcmeProblem | null;
}

const scope = new AsyncLocalStorage<ProblemScope>();
const g = globalThis as unknown as { __gatehouseAcmeHook?: boolean };

function isProblem(v: unknown): v is AcmeProblem {
  return typeof v === 'object' && v !== null && typeof (v as AcmeProblem).type === 'string' && (v as AcmeProblem).type.startsWith('urn:');
}

function installHook(): void {
  if (g.__gatehouseAcmeHook) return;
  g.__gatehouseAcmeHook = true;
  const defaults = acme.axios.defaults;
  const previous = Array.isArray(defaults.transformResponse) ? defaults.transformResponse : defaults.transformResponse ? [defaults.transformResponse] : [];
  // transformResponse runs for error responses too, before acme-client's retry interceptor, and
  // with `this` bound to the request config that interceptor reads.
  type Observer = NonNullable<typeof previous>[number];
  const observe: Observer = function (this: { retryAttempt?: number }, data: unknown, _headers: unknown, status?: number) {
    const s = scope.getStore();
    if (s) {
      if (isProblem(data)) s.problem = { ...data, status };
      else if (typeof data === 'object' && data !== null && (data as { status?: string }).status === 'invalid' && isProblem((data as { error?: unknown }).error)) {
        s.problem = (data as { error: AcmeProblem }).error;
      }
    }
    if (status === 429) this.retryAttempt = Number.MAX_SAFE_INTEGER - 1;
    return data;
  } as Observer;
  defaults.transformResponse = [...previous, observe];
}

/** Runs an issuance with its own "last problem seen" slot. */
export function withProblemScope<T>(fn: (slot: ProblemScope) => Promise<T>): Promise<T> {
  installHook();
  const slot: ProblemScope = { problem: null };
  return scope.run(slot, () => fn(slot));
}

/** The sealed ACME account key, created once (ECDSA P-256, which every ACME CA accepts). */
export async function accountKey(): Promise<{ pem: string; created: boolean }> {
  const existing = (await getEffectiveSettings()).acme.accountKeyPem;
  if (existing) return { pem: existing, created: false };
  const fresh = (await acme.crypto.createPrivateEcdsaKey('P-256')).toString();
  // Two issuances may race on a fresh install: the first key saved wins, the other is dropped.
  return atomically(async () => {
    const again = (await getEffectiveSettings()).acme.accountKeyPem;
    if (again) return { pem: again, created: false };
    await saveAcmeAccountKey(fresh);
    return { pem: fresh, created: true };
  });
}

export interface AcmeSession {
  client: acme.Client;
  directoryUrl: string;
  email: string | null;
  accountCreated: boolean;
}

/** A client for the configured CA, its account registered (or found again: same key, same account). */
export async function openAcmeSession(): Promise<AcmeSession> {
  installHook();
  const settings = (await getEffectiveSettings()).acme;
  const key = await accountKey();
  // Validation normally completes within seconds; poll soon, then back off (max ~2 minutes).
  const client = new acme.Client({ directoryUrl: settings.directoryUrl, accountKey: key.pem, backoffAttempts: 14, backoffMin: 1000, backoffMax: 10_000 });
  // Always with `contact` (empty without an e-mail): for an account that exists already
  // acme-client turns this into an update, and an update carrying only termsOfServiceAgreed is
  // refused by CAs as "empty" (pebble: malformed).
  await client.createAccount({ termsOfServiceAgreed: true, contact: settings.email ? [`mailto:${settings.email}`] : [] });
  return { client, directoryUrl: settings.directoryUrl, email: settings.email, accountCreated: key.created };
}

/** A fresh certificate key (ECDSA P-256) and a CSR for the names (first name is the CN). */
export async function createKeyAndCsr(names: string[]): Promise<{ keyPem: string; csr: Buffer }> {
  const keyPem = await acme.crypto.createPrivateEcdsaKey('P-256');
  const [, csr] = await acme.crypto.createCsr({ commonName: names[0], altNames: names }, keyPem);
  return { keyPem: keyPem.toString(), csr };
}

/** The directory's host, for log lines (never a full URL). */
export function caLabel(directoryUrl: string): string {
  try {
    const host = new URL(directoryUrl).hostname;
    if (host.endsWith('api.letsencrypt.org')) return host.startsWith('acme-staging') ? "Let's Encrypt (staging)" : "Let's Encrypt";
    return 'the configured ACME server';
  } catch {
    return 'the configured ACME server';
  }
}
