/**
 * What both proofs share: the component's temporary credentials for --direct (the pod-less
 * proof's AssumeRoleWithWebIdentity or, for EKS Pod Identity, AssumeRoleForPodIdentity with the
 * ServiceAccount's own token), a verification Job's
 * marker line otherwise, and the facts they read.
 */
import {
  POD_IDENTITY_AUDIENCE,
  type CredentialSource,
  roleWords,
  type MechanismWords,
} from '../../platform/pod-identity.js';
import { podIdentityRoleMatches } from '../../platform/pod-identity-exchange.js';
import type { ModuleContext } from '../../engine/module.js';
import { ApiCallError, errorMessage } from '../../core/errors.js';
import type { Services } from '../../core/context.js';
import type { Facts, PlannedComponent } from '../../engine/facts.js';
import { tokenAudience } from '../../platform/service-account.js';
import type { TemporaryCredentials } from '../../ports/aws.js';
import { rdsAuthToken } from '../../platform/sigv4.js';
import {
  dataPlaneSeconds,
  isMissingTool,
  type JobInput,
  type MissingTool,
} from '../../platform/data-plane-jobs.js';
import { DEFAULT_JOB_IMAGE, DEFAULT_PSQL_IMAGE } from '../../core/options.js';
import { assumedRoleMatchesRole, parseArn } from '../../iam/arn.js';

/** Beyond the Job's own deadline: time to start the pod and fetch its log. */
const JOB_GRACE_MS = 15_000;

/** Runs a proof Job and reads its marker line; why not, when it gives no verdict. */
export async function viaJob<T>(
  ctx: Services,
  manifest: Record<string, unknown>,
  marker: string,
  parse: (logs: string | undefined) => T | 'no-credentials' | MissingTool | undefined,
  roleArn: string,
  mechanism: MechanismWords['name'] = 'IRSA',
): Promise<Proof<T>> {
  const res = await ctx.kube.runJob(
    ctx.scope.namespace,
    manifest,
    ctx.options.jobTimeoutSeconds * 1000 + JOB_GRACE_MS,
  );
  if (res.outcome !== 'succeeded')
    return {
      ok: false,
      reason: `the verification Job ${res.jobName} ended ${res.outcome}${res.reason ? ` (${res.reason})` : ''}`,
    };
  const verdict = parse(res.logs);
  if (verdict === undefined)
    return { ok: false, reason: `the verification Job ${res.jobName} printed no ${marker} line` };
  if (isMissingTool(verdict)) return { ok: false, reason: missingToolReason(ctx, verdict) };
  if (verdict === 'no-credentials')
    return {
      ok: false,
      reason: `the pod got no credentials for ${roleArn} through ${mechanism} (see the identity Job)`,
    };
  return { ok: true, result: verdict as T };
}

/** What every data-plane proof Job of a component is given, whichever proof it runs. */
export function componentJobInput(ctx: Services, c: PlannedComponent): JobInput & { awsImage: string } {
  return {
    namespace: ctx.scope.namespace,
    component: c.key,
    serviceAccount: c.serviceAccount.name,
    timeoutSeconds: ctx.options.jobTimeoutSeconds,
    seconds: dataPlaneSeconds(ctx.options.requestTimeoutMs),
    awsImage: ctx.options.jobImage,
  };
}

/**
 * A --direct proof: the component's credentials (credentialsFor), then `attempt` signed with them,
 * derived once per `method` and `args` (a replay answers it from the bundle). The result names who
 * the credentials are (`caller`) and whether they are pinned to the component's role.
 */
export function directProof<T extends { caller?: string }>(
  ctx: Services,
  f: ProofFacts,
  c: PlannedComponent,
  roleArn: string,
  derived: { method: string; args: unknown[] },
  attempt: (credentials: TemporaryCredentials) => Promise<T>,
): Promise<Proof<T> & { pinned?: boolean }> {
  return ctx.derive<Proof<T> & { pinned?: boolean }>(derived.method, derived.args, async () => {
    const creds = await credentialsFor(ctx, f, c, roleArn);
    if (!creds.ok) return creds;
    const { credentials, caller, pinned } = creds.result;
    const result = await attempt(credentials);
    return { ok: true, result: caller ? { ...result, caller } : result, pinned };
  });
}

/** A Job image without the tool a proof needs: which flag picks another image. */
function missingToolReason(ctx: Services, tool: MissingTool): string {
  const { jobImage, psqlImage } = ctx.options;
  switch (tool) {
    case 'missing:aws':
      return `the image ${jobImage} has no AWS CLI (aws): pass --job-image with one that has it (default ${DEFAULT_JOB_IMAGE})`;
    case 'missing:psql':
      return `the image ${psqlImage} has no psql: pass --psql-image with one that has it (default ${DEFAULT_PSQL_IMAGE})`;
    case 'missing:curl-sigv4':
      return `the image ${jobImage} has no curl that signs requests (--aws-sigv4 needs curl 7.75 or later): pass --job-image with a current AWS CLI image (default ${DEFAULT_JOB_IMAGE})`;
  }
}

export type Ctx = ModuleContext<
  'caller' | 'plan' | 'roleArns' | 'values',
  | 'region'
  | 'databases'
  | 'auroraClusters'
  | 'openSearch'
  | 'openSearchDomain'
  | 'webIdentity'
  | 'credentialSources'
  | 'profile'
  | 'cluster'
>;

/** The optional facts the proofs read, awaited once. */
export interface ProofFacts {
  region: string | undefined;
  databases: Facts['databases'] | undefined;
  auroraClusters: Facts['auroraClusters'] | undefined;
  openSearchDomain: Facts['openSearchDomain'] | undefined;
  /** The chart profile (its major decides where the values set the index prefixes). */
  profile?: Facts['profile'];
  /** The pod-less proof's credentials, awaited only by --direct (a Job gets its own in the pod). */
  webIdentity: () => Promise<Facts['webIdentity'] | undefined>;
  /** How each component's pods get their role (IRSA or EKS Pod Identity), for the proofs' words. */
  credentialSources?: Facts['credentialSources'] | undefined;
  /** The EKS cluster, awaited only for EKS Pod Identity credentials (EKS Auth asks for its name). */
  cluster?: () => Promise<Facts['cluster'] | undefined>;
}

/** How long one login or one request may take at most (README "Data-plane proofs"). */
export const DIRECT_TIMEOUT_MS = 10_000;

/** One login or request: 10 s, or --request-timeout when that is shorter. */
export function proofTimeoutMs(ctx: Services): number {
  return Math.min(DIRECT_TIMEOUT_MS, ctx.options.requestTimeoutMs);
}
const TOKEN_SECONDS = 600;

export const DERIVED_AURORA_LOGIN = 'auroraLogin';
export const DERIVED_OPENSEARCH_AUTHINFO = 'openSearchAuthInfo';

/**
 * How the password of the Aurora login is made: an RDS IAM auth token. A seam for the
 * tests, whose PostgreSQL server has a password-auth user standing in for the token.
 */
export const auroraPassword = {
  make: (credentials: TemporaryCredentials, region: string, host: string, port: number, user: string) =>
    rdsAuthToken(credentials, region, host, port, user),
};

export type Proof<T> = { ok: true; result: T } | { ok: false; reason: string };

/**
 * The credentials a --direct proof signs with, and who they are: the AssumeRoleWithWebIdentity
 * answer's assumed-role ARN when the proof asked STS itself; `pinned` when the pod-less proof
 * already checked that its credentials are the role's (it hands out no others).
 */
export interface ProofCredentials {
  credentials: TemporaryCredentials;
  caller?: string;
  pinned: boolean;
}

/**
 * Who a proof ran as, against the component's role: the role (its assumed-role ARN, any
 * session: IRSA's botocore session or Pod Identity's eks-… session), another principal, or
 * unknown (the Job could not ask STS, a Job of an earlier irsa-check).
 */
export type Principal = { kind: 'role' } | { kind: 'other'; caller: string } | { kind: 'unknown' };

export function principalOf(caller: string | undefined, pinned: boolean, roleArn: string): Principal {
  if (caller) return assumedRoleMatchesRole(caller, roleArn) ? { kind: 'role' } : { kind: 'other', caller };
  return pinned ? { kind: 'role' } : { kind: 'unknown' };
}

/** The FAIL's message and fix when a proof ran as another principal than the component's role. */
export function wrongPrincipal(
  proof: string,
  caller: string,
  roleArn: string,
  serviceAccount: string,
  direct: boolean,
  mechanism: MechanismWords['name'] = 'IRSA',
): { message: string; fix: string } {
  const session = parseArn(caller)?.resource.split('/')[2] ?? '';
  // An EC2 instance profile's session is the instance ID: the node role, through IMDS.
  const nodeRole = /^i-[0-9a-f]{8,}$/.test(session);
  const why = nodeRole
    ? 'the pod got the node role: injection missing'
    : direct
      ? 'STS assumed another role for the service account token'
      : 'the pod got other credentials (static keys, another AWS_ROLE_ARN, or a Pod Identity association for another role)';
  return {
    message: `the ${proof} ran as ${caller}, not ${roleWords(roleArn, mechanism)}: ${why}; its verdict says nothing about that role`,
    fix: nodeRole
      ? `Make the EKS pod identity webhook inject ${roleArn} into pods of service account ${serviceAccount} (the eks.amazonaws.com/role-arn annotation, the webhook running), and give the nodes hop limit 1 so pods cannot fall back to the node role; then run again.`
      : `Check what gives pods of service account ${serviceAccount} the identity ${caller} (its annotation, a Pod Identity association, AWS_* variables forced into the namespace) and make it ${roleArn}; then run again.`,
  };
}

/**
 * The role's temporary credentials, exactly as a pod's SDK gets them: those the pod-less
 * proof got for the component when it ran (no second TokenRequest and STS or EKS Auth call),
 * else from a TokenRequest and, as the pod gets them, AssumeRoleWithWebIdentity (IRSA) or EKS
 * Auth's AssumeRoleForPodIdentity (EKS Pod Identity, as the node's agent asks for the pod);
 * the reason when not.
 */
export async function credentialsFor(
  ctx: Services,
  f: ProofFacts,
  c: PlannedComponent,
  roleArn: string,
): Promise<Proof<ProofCredentials>> {
  // The pod-less proof hands out only credentials whose assumed role it checked is the component's.
  const reused = (await f.webIdentity())?.get(c.key);
  if (reused) return { ok: true, result: { credentials: reused, pinned: true } };
  const source = f.credentialSources?.get(c.key);
  if (source?.mechanism === 'pod-identity') return podIdentityCredentials(ctx, f, c, source);
  const ns = ctx.scope.namespace;
  try {
    const { audience } = tokenAudience(await ctx.kube.serviceAccount(ns, c.serviceAccount.name));
    const token = await ctx.kube.requestToken(ns, c.serviceAccount.name, audience, TOKEN_SECONDS);
    const region = f.region ?? ctx.options.region ?? 'us-east-1';
    const { credentials, assumedRoleArn } = await ctx.aws.assumeRoleWithWebIdentity(roleArn, token, region);
    if (!credentials) return { ok: false, reason: `STS assumed ${roleArn} but handed out no credentials` };
    return { ok: true, result: { credentials, caller: assumedRoleArn, pinned: false } };
  } catch (e) {
    const why = e instanceof ApiCallError ? `${e.operation}: ${e.reason}` : errorMessage(e);
    return { ok: false, reason: `no credentials for ${roleArn} (${why}; see the token check)` };
  }
}

/**
 * EKS Pod Identity credentials for the component's ServiceAccount: a token of aud
 * pods.eks.amazonaws.com and EKS Auth's answer for it. Pinned only when the answer is for the
 * ServiceAccount and the association's role (its target role, cross-account); the caller is
 * the role EKS Auth names, so the proofs' verdict counts only for that role.
 */
async function podIdentityCredentials(
  ctx: Services,
  f: ProofFacts,
  c: PlannedComponent,
  source: Extract<CredentialSource, { mechanism: 'pod-identity' }>,
): Promise<Proof<ProofCredentials>> {
  const ns = ctx.scope.namespace;
  const sa = c.serviceAccount.name;
  const roleArn = source.roleArn;
  const cluster = (await f.cluster?.())?.name;
  if (!cluster)
    return {
      ok: false,
      reason: `no EKS Pod Identity credentials for ${roleArn}: the EKS cluster's name is unknown (eks:DescribeCluster)`,
    };
  try {
    const token = await ctx.kube.requestToken(ns, sa, POD_IDENTITY_AUDIENCE, TOKEN_SECONDS);
    const region = f.region ?? ctx.options.region ?? 'us-east-1';
    const answer = await ctx.aws.assumeRoleForPodIdentity(cluster, token, region);
    if (answer.subject.namespace !== ns || answer.subject.serviceAccount !== sa)
      return {
        ok: false,
        reason: `EKS Auth took the token as service account ${answer.subject.namespace}/${answer.subject.serviceAccount}, not ${ns}/${sa} (see the token check)`,
      };
    if (!answer.credentials)
      return { ok: false, reason: `EKS Auth assumed ${roleArn} but handed out no credentials` };
    const pinned = podIdentityRoleMatches(answer.assumedRoleArn, roleArn);
    return { ok: true, result: { credentials: answer.credentials, caller: answer.assumedRoleArn, pinned } };
  } catch (e) {
    const why = e instanceof ApiCallError ? `${e.operation}: ${e.reason}` : errorMessage(e);
    return {
      ok: false,
      reason: `no EKS Pod Identity credentials for ${roleArn} (${why}; see the token check)`,
    };
  }
}
