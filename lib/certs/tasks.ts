/**
 * The `certificate.issue` task: issue (or renew) an ACME certificate through HTTP-01 answered by
 * the domain's own Nginx, store it, attach it to the domain and deploy the server, so the new
 * certificate is served as soon as the task succeeds. Each step logs one readable line.
 */
import { eq } from 'drizzle-orm';
import { atomically, getDb } from '../db';
import { seal } from '../crypto/secret-box';
import { systemActor } from '../access/actor';
import { recordAudit } from '../audit';
import { publish } from '../events/bus';
import { getServerRow, secretsOf, withServer } from '../servers/connection';
import { nginxLayoutOf } from '../nginx/layout';
import { cmd } from '../ssh/quote';
import { isTaskFailure, TaskFailure, type TaskContext, type TaskHandlers } from '../tasks/context';
import { caLabel, createKeyAndCsr, openAcmeSession, withProblemScope } from './acme-client';
import { explainFailure, scrubDetail, type AcmeStep } from './acme-problems';
import { certificateFacts, splitFullChain } from './pem';
import { findCertificate, type CertificateRow } from './store';
import { ISSUE_TASK, publishCertificate } from './service';
import { attachCertificate } from '../proxy/domains';
import { findDomain, type DomainRow } from '../proxy/store';
import { domainNames } from '../nginx/server-names';
import { deployForCertificate } from './deploy';
import { X509Certificate, createPrivateKey } from 'node:crypto';

const TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

/** A failure already written to the certificate record. */
class RecordedFailure extends TaskFailure {}

interface IssueInput {
  certificateId: string;
  renewal?: boolean;
}

/** Where Nginx serves challenge files from: the `root` of the ACME location in every HTTP server block. */
export const challengeDir = (managedDir: string) => `${managedDir}/acme/.well-known/acme-challenge`;

async function writeChallenge(serverId: string, dir: string, token: string, content: string): Promise<string> {
  const file = `${dir}/${token}`;
  await withServer(serverId, async (conn) => {
    // 0755 so the worker user (www-data, nginx, ...) can read what root wrote.
    const r = await conn.execPrivileged(cmd`mkdir -p -- ${dir} && chmod 755 -- ${dir}`);
    if (r.code !== 0) throw new TaskFailure(`Could not create the challenge directory on the server: ${r.stderr.trim().slice(0, 300)}`);
    await conn.putFilePrivileged(file, content, 0o644);
  });
  return file;
}

async function removeChallenges(serverId: string, files: string[]): Promise<void> {
  if (files.length === 0) return;
  await withServer(serverId, (conn) => conn.execPrivileged(cmd`rm -f -- ${files}`));
}

/** Marks the failure on the record; a renewal also counts an attempt and publishes renewal_failed. */
async function recordFailure(row: CertificateRow, domain: DomainRow | undefined, renewal: boolean, message: string): Promise<void> {
  await atomically(async (db) => {
    const { t } = getDb();
    const status = row.certificatePem ? row.status : 'failed';
    const attempts = renewal ? row.renewAttempts + 1 : row.renewAttempts;
    await db.update(t.certificates).set({ status, lastError: message, renewAttempts: attempts, updatedAt: new Date() }).where(eq(t.certificates.id, row.id));
    await publishCertificate({ id: row.id, status }, domain?.serverId ?? null, { error: message });
    if (renewal) {
      await publish({
        type: 'certificate.renewal_failed',
        serverId: domain?.serverId ?? null,
        data: { certificateId: row.id, domainId: domain?.id ?? null, fqdn: domain?.fqdn ?? null, attempts, error: message, notAfter: row.notAfter?.toISOString() ?? null },
      });
    }
  });
}

async function storeIssued(ctx: TaskContext, row: CertificateRow, domain: DomainRow, renewal: boolean, fullChain: string, keyPem: string) {
  const { certificatePem, chainPem } = splitFullChain(fullChain);
  const leaf = new X509Certificate(certificatePem);
  if (!leaf.checkPrivateKey(createPrivateKey(keyPem))) throw new TaskFailure('The CA returned a certificate that does not match the key Gatehouse made.');
  const facts = certificateFacts(leaf);
  const now = new Date();
  await atomically(async (db) => {
    const { t } = getDb();
    await db
      .update(t.certificates)
      .set({
        status: 'valid',
        names: facts.names,
        issuer: facts.issuer,
        notBefore: facts.notBefore,
        notAfter: facts.notAfter,
        fingerprint: facts.fingerprint,
        certificatePem,
        chainPem,
        privateKeyEnc: seal(keyPem),
        lastError: null,
        renewAttempts: 0,
        renewedAt: renewal ? now : row.renewedAt,
        updatedAt: now,
      })
      .where(eq(t.certificates.id, row.id));
    await attachCertificate(domain, row.id, 'acme');
    await recordAudit(systemActor, renewal ? 'certificate.renewed' : 'certificate.issued', { type: 'certificate', id: row.id }, {
      domainId: domain.id,
      fingerprint: facts.fingerprint,
      notAfter: facts.notAfter.toISOString(),
      taskId: ctx.task.id,
    });
    await publishCertificate({ id: row.id, status: 'valid' }, domain.serverId, { fingerprint: facts.fingerprint });
  });
  return facts;
}

async function issue(ctx: TaskContext): Promise<Record<string, unknown>> {
  const input = (ctx.task.input ?? {}) as unknown as IssueInput;
  const row = await findCertificate(input.certificateId);
  if (!row) throw new TaskFailure('The certificate was deleted before it could be issued.');
  const domain = row.domainId ? await findDomain(row.domainId) : undefined;
  const renewal = Boolean(input.renewal);
  const fail = async (message: string): Promise<never> => {
    await recordFailure(row, domain, renewal, message);
    throw new RecordedFailure(message);
  };
  if (!domain) return fail('The domain this certificate is for no longer exists.');
  const server = await getServerRow(domain.serverId);
  for (const s of secretsOf(server)) ctx.addSecret(s);
  const layout = nginxLayoutOf(server);
  const names = domainNames(domain);
  const wildcards = names.filter((name) => name.startsWith('*.'));
  if (wildcards.length) return fail(`HTTP-01 validation cannot prove wildcard names (${wildcards.join(', ')}). Remove the wildcard alias or upload a custom certificate for it.`);
  let step: AcmeStep = 'deploy';
  const written: string[] = [];

  return withProblemScope(async (slot) => {
    try {
      await ctx.log(`${renewal ? 'Renewing' : 'Issuing'} a certificate for ${names.join(', ')}.`);
      if (domain.status !== 'deployed') {
        await ctx.log('The domain is not deployed yet: deploying it first, so its Nginx answers the challenge.');
        try {
          await deployForCertificate(ctx, domain.serverId, domain.id, [0, 9]);
        } catch (err) {
          return fail(`The domain could not be deployed, so its Nginx cannot answer the challenge: ${isTaskFailure(err) ? err.message : 'the deploy failed'}`);
        }
      }
      step = 'account';
      const { client, directoryUrl, accountCreated } = await openAcmeSession();
      await ctx.log(`Account: ${accountCreated ? 'created an account key and registered it' : 'registered'} with ${caLabel(directoryUrl)}.`);
      await ctx.progress(10);

      step = 'order';
      const order = await client.createOrder({ identifiers: names.map((value) => ({ type: 'dns', value })) });
      const authorizations = await client.getAuthorizations(order);
      await ctx.log(`Order: placed for ${names.length} name${names.length === 1 ? '' : 's'}.`);
      await ctx.progress(20);

      const dir = challengeDir(layout.managedDir);
      for (const authz of authorizations) {
        const name = authz.identifier.value;
        if (authz.status === 'valid') {
          await ctx.log(`Challenge: ${name} is already validated (the CA remembers a recent validation).`);
          continue;
        }
        const challenge = authz.challenges.find((c) => c.type === 'http-01');
        if (!challenge) return fail(`The CA offered no HTTP-01 challenge for ${name}.`);
        step = 'challenge';
        if (!TOKEN.test(challenge.token)) return fail('The CA sent a challenge token Gatehouse cannot use as a file name.');
        const keyAuthorization = await client.getChallengeKeyAuthorization(challenge);
        written.push(await writeChallenge(domain.serverId, dir, challenge.token, keyAuthorization));
        await ctx.log(`Challenge: wrote ${dir}/${challenge.token} for ${name} (served on port ${layout.httpPort}).`);
        step = 'validation';
        await client.completeChallenge(challenge);
        try {
          await client.waitForValidStatus(challenge);
        } catch (err) {
          if (slot.problem?.detail) await ctx.log(`Validation of ${name} failed: ${scrubDetail(slot.problem.detail)}`, 'stderr');
          throw err;
        }
        await ctx.log(`Validation: the CA fetched the challenge for ${name} and accepted it.`);
      }
      await ctx.progress(55);
      await removeChallenges(domain.serverId, written.splice(0)).catch(() => undefined);

      step = 'finalize';
      const { keyPem, csr } = await createKeyAndCsr(names);
      ctx.addSecret(keyPem);
      const finalized = await client.finalizeOrder(order, csr);
      await ctx.log('Finalize: the CA accepted the certificate request.');
      await ctx.progress(70);

      step = 'download';
      const fullChain = await client.getCertificate(finalized);
      const facts = await storeIssued(ctx, row, domain, renewal, fullChain, keyPem);
      await ctx.log(`Download: certificate ${facts.fingerprint.slice(0, 23)}… valid until ${facts.notAfter.toISOString().slice(0, 10)}, stored and attached to ${domain.fqdn}.`);
      await ctx.progress(80);

      step = 'deploy';
      try {
        await deployForCertificate(ctx, domain.serverId, domain.id);
      } catch (err) {
        const why = isTaskFailure(err) ? err.message : 'the deploy failed';
        throw new TaskFailure(`The certificate was issued and stored, but deploying it failed: ${why}`);
      }
      await ctx.log('Deploy: Nginx reloaded; the new certificate is being served.');
      return { certificateId: row.id, fingerprint: facts.fingerprint, notAfter: facts.notAfter.toISOString() };
    } catch (err) {
      if (written.length) await removeChallenges(domain.serverId, written).catch(() => undefined);
      if (err instanceof RecordedFailure || (isTaskFailure(err) && step === 'deploy')) throw err;
      const message = isTaskFailure(err) ? err.message : explainFailure(err, { step, names, httpPort: layout.httpPort, problem: slot.problem });
      if (!isTaskFailure(err)) {
        const said = slot.problem ? `the CA said (${slot.problem.type.split(':').pop()}): ${slot.problem.detail ?? ''}` : String((err as Error)?.message ?? err);
        if (!(step === 'validation' && slot.problem)) await ctx.log(`Detail: ${scrubDetail(said)}`, 'stderr');
      }
      return fail(message);
    }
  });
}

/** The certificates feature's task handlers by kind (wired by lib/registry.ts). */
export const certificateTaskHandlers: TaskHandlers = { [ISSUE_TASK]: issue };
