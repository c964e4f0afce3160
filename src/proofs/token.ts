/**
 * Pod-less proof of the trust chain: for each component with a role, ask the
 * API server for a short-lived ServiceAccount token (TokenRequest), verify it
 * the way STS will (signature against the issuer's JWKS; iss, sub, aud, exp),
 * then let STS exchange it (AssumeRoleWithWebIdentity) and compare the role STS
 * assumed with the annotated one. A component whose ServiceAccount has an EKS Pod
 * Identity association is proven the way the Pod Identity Agent gets its pods'
 * credentials instead: a token of aud pods.eks.amazonaws.com, exchanged with EKS
 * Auth's AssumeRoleForPodIdentity (pod-identity-token.ts). Writes nothing in the
 * cluster but the TokenRequest; the token itself is never printed.
 */
import {
  compactVerify,
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors as joseErrors,
  type CryptoKey,
  type JSONWebKeySet,
  type JWTPayload,
} from 'jose';
import { defineModule } from '../engine/module.js';
import { ApiCallError, errorMessage } from '../core/errors.js';
import { eachInOrder, type Reporter } from '../core/reporter.js';
import type { Services } from '../core/context.js';
import type { PlannedComponent } from '../engine/facts.js';
import { assumedRoleMatchesRole, issuerHostPath, oidcProviderArn, parseRoleArn } from '../iam/arn.js';
import { AUDIENCE_ANNOTATION } from '../ports/kube.js';
import { tokenAudience } from '../platform/service-account.js';
import { publicDiscovery, type SharedPublicDiscovery } from '../platform/public-issuer.js';
import type { Jwks } from '../platform/issuer.js';
import type { TemporaryCredentials } from '../ports/aws.js';
import { POD_IDENTITY_AUDIENCE, roleWords } from '../platform/pod-identity.js';
import {
  answerVerdict,
  refusalVerdict,
  type PodIdentitySource,
  type PodIdentityTarget,
  type PodIdentityVerdict,
} from '../platform/pod-identity-exchange.js';

const CHECKS = {
  'token-request': {
    severity: 'FAIL',
    code: 231,
    title: 'a ServiceAccount token could not be requested (TokenRequest)',
    fix: 'Allow irsa-check to create serviceaccounts/token, or run with --no-token.',
  },
  'token-valid': {
    severity: 'FAIL',
    code: 232,
    title: "the ServiceAccount token's signature or claims (iss, sub, aud, exp) do not check out",
    fix: "Check the API server's service-account issuer and signing keys.",
  },
  'token-sts': {
    severity: 'FAIL',
    code: 233,
    title: 'STS refused AssumeRoleWithWebIdentity with the token',
    fix: "Check the IAM OIDC provider and the role's trust policy.",
  },
  'token-role': {
    severity: 'FAIL',
    code: 234,
    title: 'STS assumed another role than the annotated one',
    fix: 'Check the role ARN annotation.',
  },
  'token-cluster-jwks': {
    severity: 'WARN',
    title:
      "the cluster's service-account issuer discovery (/openid/v1/jwks) cannot be read: token signatures are not verified locally",
    fix: 'Allow irsa-check to get the non-resource URLs /.well-known/openid-configuration and /openid/v1/jwks (README, "Permissions").',
  },
  'token-issuer-known': {
    severity: 'WARN',
    title: "the cluster's OIDC issuer is unknown: the tokens' iss claim is not checked",
    fix: 'Let irsa-check read the EKS cluster (eks:DescribeCluster) or the API server’s issuer discovery.',
  },
  'token-public-issuer': {
    severity: 'WARN',
    title: "the issuer's public discovery document names another issuer than the cluster's",
    fix: "Publish a discovery document whose issuer equals the API server's --service-account-issuer.",
  },
  // EKS Pod Identity, proven as the agent gets its pods' credentials (platform/pod-identity-exchange.ts).
  'token-pod-identity': {
    severity: 'FAIL',
    code: 235,
    title:
      "EKS Auth refused AssumeRoleForPodIdentity with the ServiceAccount's token: the pods get no EKS Pod Identity credentials",
    fix: "Check the Pod Identity association and the role's trust policy (pods.eks.amazonaws.com: sts:AssumeRole, sts:TagSession).",
  },
  'token-pod-identity-role': {
    severity: 'FAIL',
    code: 236,
    title: "EKS Pod Identity handed out credentials for another role or subject than the association's",
    fix: 'Check the Pod Identity association of the service account (its role, its target role).',
  },
  'token-pod-identity-ask': {
    severity: 'INFO',
    title:
      'EKS Pod Identity is not proven from here: irsa-check may not call eks-auth:AssumeRoleForPodIdentity',
  },
} as const;
type Id = keyof typeof CHECKS;

/** The shortest lifetime TokenRequest allows. */
export const TOKEN_SECONDS = 600;
/** Tolerated clock difference between this machine and the API server. */
const CLOCK_SKEW_SECONDS = 60;

/** The `derive` name of the token verdict: a replay has no token to check again. */
export const DERIVED_VERIFY_TOKEN = 'verifyToken';

/** The keys and issuer tokens are checked against, gathered once per run. */
interface TrustAnchors {
  /** The issuer tokens must carry: EKS's OIDC issuer, else the API server's discovery. */
  issuer?: string;
  clusterJwks?: Jwks;
  publicJwks?: { uri: string; jwks: Jwks };
}

function normalIssuer(url: string): string {
  return url.replace(/\/+$/, '');
}

async function loadAnchors(
  services: Pick<Services, 'kube' | 'derive'>,
  knownIssuer: Promise<string | undefined>,
  shared: Promise<SharedPublicDiscovery | undefined>,
  out: Reporter<Id>,
  /** false when only EKS Pod Identity is proven: EKS Auth, not STS, checks its tokens (no public discovery). */
  withPublic = true,
): Promise<TrustAnchors> {
  const anchors: TrustAnchors = {};
  try {
    const discovery = await services.kube.issuerDiscovery();
    anchors.clusterJwks = discovery.jwks;
    anchors.issuer = (await knownIssuer) ?? discovery.configuration.issuer;
  } catch (e) {
    anchors.issuer = await knownIssuer;
    const why = e instanceof ApiCallError ? `${e.reason}: ${e.message}` : errorMessage(e);
    out.warn(
      'token-cluster-jwks',
      `cannot read the cluster's service-account issuer discovery (/openid/v1/jwks; ${why}): token signatures are not verified here, STS still checks them`,
    );
  }
  if (!anchors.issuer) {
    out.warn(
      'token-issuer-known',
      "the cluster's OIDC issuer is unknown: the tokens' iss claim is not checked here",
    );
    return anchors;
  }
  if (!withPublic) return anchors;
  // The issuer-chain module fetched the same documents (self-managed): read its answer.
  const fetched = await shared;
  const pub =
    fetched && normalIssuer(fetched.issuer) === normalIssuer(anchors.issuer)
      ? fetched.answer
      : await publicDiscovery(services, anchors.issuer);
  if (!pub.reachable) {
    out.info(
      `the issuer's public discovery (${anchors.issuer}) is not reachable from here (${pub.reason}): tokens are checked against the cluster's own JWKS`,
    );
    return anchors;
  }
  anchors.publicJwks = { uri: pub.jwksUri, jwks: pub.jwks };
  if (pub.issuer !== undefined && normalIssuer(pub.issuer) !== normalIssuer(anchors.issuer)) {
    out.warn(
      'token-public-issuer',
      `the public discovery document of ${anchors.issuer} names issuer ${pub.issuer}: STS expects them to be equal`,
    );
  }
  out.info(`the issuer's public JWKS (${pub.jwksUri}) answers: tokens are checked against it too`);
  return anchors;
}

type ProblemKind = 'malformed' | 'signature' | 'public-signature' | 'iss' | 'sub' | 'aud' | 'exp';
interface Problem {
  kind: ProblemKind;
  text: string;
}

/** undefined when the signature verifies against one of the set's keys, else why not. */
async function signatureProblem(
  token: string,
  jwks: Jwks,
  where: string,
  kid: string,
): Promise<string | undefined> {
  let keyset;
  try {
    keyset = createLocalJWKSet(jwks as unknown as JSONWebKeySet);
  } catch (e) {
    return `${where} is not a usable JWKS (${errorMessage(e)})`;
  }
  try {
    await compactVerify(token, keyset);
    return undefined;
  } catch (e) {
    if (e instanceof joseErrors.JWKSMultipleMatchingKeys) {
      for await (const key of e as unknown as AsyncIterable<CryptoKey>) {
        try {
          await compactVerify(token, key);
          return undefined;
        } catch {
          /* try the next key */
        }
      }
      return `its signature does not verify against any key of ${where} with key ID ${kid}`;
    }
    if (e instanceof joseErrors.JWKSNoMatchingKey)
      return `${where} has no key with the token's key ID ${kid}`;
    if (e instanceof joseErrors.JWSSignatureVerificationFailed) {
      return `its signature does not verify against key ${kid} of ${where}`;
    }
    return `its signature cannot be verified against ${where} (${errorMessage(e)})`;
  }
}

function audiences(payload: JWTPayload): string[] {
  const aud = payload.aud;
  return aud === undefined ? [] : Array.isArray(aud) ? aud : [aud];
}

async function tokenProblems(
  token: string,
  anchors: TrustAnchors,
  expected: { sub: string; aud: string },
): Promise<Problem[]> {
  let payload: JWTPayload;
  let kid: string;
  try {
    payload = decodeJwt(token);
    kid = String(decodeProtectedHeader(token).kid ?? '(none)');
  } catch (e) {
    return [{ kind: 'malformed', text: `the API server returned no valid JWT (${errorMessage(e)})` }];
  }
  const problems: Problem[] = [];
  if (anchors.clusterJwks) {
    const p = await signatureProblem(token, anchors.clusterJwks, "the cluster's JWKS (/openid/v1/jwks)", kid);
    if (p) problems.push({ kind: 'signature', text: p });
  }
  if (anchors.publicJwks) {
    const p = await signatureProblem(
      token,
      anchors.publicJwks.jwks,
      `the public JWKS ${anchors.publicJwks.uri}`,
      kid,
    );
    if (p) problems.push({ kind: 'public-signature', text: p });
  }
  if (anchors.issuer && normalIssuer(String(payload.iss ?? '')) !== normalIssuer(anchors.issuer)) {
    problems.push({
      kind: 'iss',
      text: `its issuer (iss) is ${payload.iss ?? '(none)'}, not the cluster's OIDC issuer ${anchors.issuer}`,
    });
  }
  if (payload.sub !== expected.sub) {
    problems.push({
      kind: 'sub',
      text: `its subject (sub) is ${payload.sub ?? '(none)'}, not ${expected.sub}`,
    });
  }
  const aud = audiences(payload);
  if (!aud.includes(expected.aud)) {
    problems.push({
      kind: 'aud',
      text: `its audience (aud) is ${aud.length ? aud.join(', ') : '(none)'}, not ${expected.aud}`,
    });
  }
  const now = Math.floor(Date.now() / 1000);
  if (typeof payload.exp !== 'number') {
    problems.push({ kind: 'exp', text: 'it has no expiry (exp)' });
  } else if (payload.exp <= now - CLOCK_SKEW_SECONDS) {
    problems.push({ kind: 'exp', text: `it expired at ${new Date(payload.exp * 1000).toISOString()}` });
  }
  if (typeof payload.nbf === 'number' && payload.nbf > now + CLOCK_SKEW_SECONDS) {
    problems.push({
      kind: 'exp',
      text: `it is not valid before ${new Date(payload.nbf * 1000).toISOString()}`,
    });
  }
  return problems;
}

function problemFix(p: Problem, anchors: TrustAnchors, expected: { sub: string; aud: string }): string {
  switch (p.kind) {
    case 'signature':
      return "The API server signs tokens with a key its own JWKS does not publish: check the API server's --service-account-key-file/--service-account-signing-key-file, or rotate the key consistently.";
    case 'public-signature':
      return `The public JWKS of the issuer does not hold the cluster's current signing key, so STS cannot verify the tokens: publish the keys of /openid/v1/jwks at ${anchors.issuer ?? 'the issuer URL'} (e.g. the S3 discovery bucket's keys.json).`;
    case 'iss':
      return "Tokens must carry the issuer the IAM OIDC provider trusts: align the API server's --service-account-issuer with the cluster's OIDC issuer, or create the IAM OIDC provider for the issuer in the tokens.";
    case 'sub':
      return `The API server issued a token for another subject than ${expected.sub}: check the service account name the component uses.`;
    case 'aud':
      return `The API server ignored the requested audience ${expected.aud}: check the ${AUDIENCE_ANNOTATION} annotation and the API server's --api-audiences.`;
    case 'exp':
      return "Check the clocks of this machine and of the API server: the token is valid for 10 minutes from the API server's time.";
    default:
      return 'The API server does not issue valid service-account tokens: check its service-account issuer configuration.';
  }
}

function stsRegion(
  clusterRegion: string | undefined,
  optionRegion: string | undefined,
  issuer: string | undefined,
): string {
  const fromIssuer = issuer ? /oidc\.eks\.([a-z0-9-]+)\.amazonaws\.com/.exec(issuer)?.[1] : undefined;
  return clusterRegion ?? optionRegion ?? fromIssuer ?? 'us-east-1';
}

const STS_REFUSALS =
  /InvalidIdentityToken|AccessDenied|ExpiredToken|IDPCommunicationError|IDPRejectedClaim|RegionDisabled|InvalidParameter|ValidationError|MalformedPolicy/i;

/** AWS's refusal in words a person can act on; undefined when it is not a refusal (network, bug). */
function stsRefusal(
  e: unknown,
  knownProviderArn: string | undefined,
  roleArn: string,
  issuer: string | undefined,
  subject: string,
  audience: string,
): { message: string; fix: string } | undefined {
  if (!(e instanceof ApiCallError) || e.api === 'kube') return undefined;
  // Throttling (400 Throttling on the query protocol) and a skewed clock are no refusal of the token.
  if (e.isThrottled || e.reason === 'ClockSkew') return undefined;
  const refused =
    STS_REFUSALS.test(e.reason) || (e.status !== undefined && e.status >= 400 && e.status < 500);
  if (!refused || /NotImplemented|NotRecorded/.test(e.reason)) return undefined;
  const aws = `${e.reason}: ${e.message}`;
  const iss = issuer ?? 'the cluster issuer';
  const hostPath = issuer ? issuerHostPath(issuer) : '<issuer host/path>';
  const role = parseRoleArn(roleArn);
  const provider =
    knownProviderArn ??
    (issuer && role
      ? oidcProviderArn(role.partition, role.account, issuer)
      : `the IAM OIDC provider of ${iss}`);
  const text = `${e.reason} ${e.message}`;
  if (/InvalidIdentityToken/i.test(text)) {
    if (/No OpenIDConnect provider found/i.test(text)) {
      return {
        message: `STS does not know the cluster's issuer (${aws})`,
        fix: `Create the IAM OIDC provider for ${iss} with client ID ${audience} (eksctl utils associate-iam-oidc-provider --cluster <cluster> --approve, or Terraform aws_iam_openid_connect_provider).`,
      };
    }
    if (/audience/i.test(text)) {
      return {
        message: `STS rejects the token's audience ${audience} (${aws})`,
        fix: `Add ${audience} to the client IDs of ${provider} (aws iam add-client-id-to-open-id-connect-provider).`,
      };
    }
    return {
      message: `STS rejects the token (${aws})`,
      fix: `Check ${provider}: its URL must be exactly ${iss}, its client IDs must include ${audience}, and the issuer's discovery document and JWKS must be publicly reachable over HTTPS with the cluster's current key.`,
    };
  }
  if (/AccessDenied/i.test(text)) {
    return {
      message: `STS refused to assume ${roleWords(roleArn, 'IRSA')}: the role's trust policy does not admit ${subject} with aud ${audience} (${aws})`,
      fix: `Allow sts:AssumeRoleWithWebIdentity in the trust policy of ${roleArn} for the Federated principal ${provider} with the conditions "${hostPath}:sub": "${subject}" and "${hostPath}:aud": "${audience}".`,
    };
  }
  if (/ExpiredToken/i.test(text)) {
    return {
      message: `STS says the token has expired (${aws})`,
      fix: 'Check the clocks of this machine, the API server and the issuer: the token was requested for 10 minutes.',
    };
  }
  if (/IDPCommunicationError/i.test(text)) {
    return {
      message: `STS could not reach the issuer ${iss} (${aws})`,
      fix: `The issuer's discovery document and JWKS must be publicly reachable over HTTPS for STS; try again, then check ${iss}/.well-known/openid-configuration.`,
    };
  }
  if (/RegionDisabled/i.test(text)) {
    return {
      message: `STS is not enabled in this region (${aws})`,
      fix: 'Activate STS for the region in IAM (Account settings), or pass --region with an active one.',
    };
  }
  return {
    message: `STS refused the token (${aws})`,
    fix: `Check the trust policy of ${roleArn} and ${provider}.`,
  };
}

function tokenRequestFix(e: unknown, ns: string, sa: string): string {
  if (e instanceof ApiCallError && e.isAccessDenied) {
    return `Allow irsa-check to create serviceaccounts/token in namespace ${ns} (README, "Permissions"), or run with --no-token.`;
  }
  if (e instanceof ApiCallError && e.isNotFound)
    return `Service account ${sa} does not exist in namespace ${ns}.`;
  return 'Check that the API server serves the TokenRequest API (Kubernetes 1.22+), then run again.';
}

/** What proving one component reads besides the services: facts awaited only where needed. */
interface ProofFacts {
  anchors: Promise<TrustAnchors>;
  region: () => Promise<string | undefined>;
  oidcProviderArn: () => Promise<string | undefined>;
  /** The EKS cluster's name, for EKS Auth (Pod Identity only). */
  cluster: () => Promise<string | undefined>;
}

/**
 * How a component's pods get their role: IRSA (AssumeRoleWithWebIdentity with a token of the
 * annotated audience) or EKS Pod Identity (AssumeRoleForPodIdentity with a token of aud
 * pods.eks.amazonaws.com, as the agent asks for the pod's projected token).
 */
type Mechanism = { kind: 'irsa'; roleArn: string } | { kind: 'pod-identity'; source: PodIdentitySource };

async function proveComponent(
  ctx: Pick<Services, 'kube' | 'aws' | 'options' | 'derive' | 'scope'>,
  c: PlannedComponent,
  mechanism: Mechanism,
  facts: ProofFacts,
  out: Reporter<Id>,
  credentials: Map<string, TemporaryCredentials>,
): Promise<void> {
  const ns = ctx.scope.namespace;
  const sa = c.serviceAccount.name;
  const audience =
    mechanism.kind === 'pod-identity'
      ? POD_IDENTITY_AUDIENCE
      : tokenAudience(await ctx.kube.serviceAccount(ns, sa)).audience;
  const subject = `system:serviceaccount:${ns}:${sa}`;

  // The anchors are awaited either way, so the module's own lines always precede the components'.
  const [requested, loaded] = await Promise.all([
    ctx.kube.requestToken(ns, sa, audience, TOKEN_SECONDS).then(
      (t) => ({ token: t }),
      (e: unknown) => ({ error: e }),
    ),
    facts.anchors,
  ]);
  if ('error' in requested) {
    const e = requested.error;
    if (!(e instanceof ApiCallError)) throw e;
    out.fail(
      // RBAC denying irsa-check itself is "could not ask" (exit 2, README), not a finding about the SA.
      e.isAccessDenied ? 'cannot-ask' : 'token-request',
      `cannot request a token for service account ${sa} (TokenRequest, aud ${audience}): ${e.reason}: ${e.message}`,
      { fix: tokenRequestFix(e, ns, sa) },
    );
    return;
  }
  const token = requested.token;
  const expected = { sub: subject, aud: audience };
  // EKS Auth checks a Pod Identity token against its cluster, not against the public discovery.
  const anchors: TrustAnchors =
    mechanism.kind === 'pod-identity' ? { ...loaded, publicJwks: undefined } : loaded;
  // The verdict is derived: a replay has no token to check again (the bundle never holds it).
  const problems = await ctx.derive<Problem[]>(
    DERIVED_VERIFY_TOKEN,
    [token, subject, audience, anchors.issuer ?? null, anchors.publicJwks?.uri ?? null],
    () => tokenProblems(token, anchors, expected),
  );
  if (problems.length > 0) {
    out.fail(
      'token-valid',
      `the token for ${subject} does not check out: ${problems.map((p) => p.text).join('; ')}`,
      { fix: problemFix(problems[0]!, anchors, expected) },
    );
    return;
  }

  if (mechanism.kind === 'pod-identity') {
    const cluster = await facts.cluster();
    const region = stsRegion(await facts.region(), ctx.options.region, anchors.issuer);
    if (!cluster) {
      out.info(
        `EKS Pod Identity of service account ${sa} not proven: the EKS cluster's name is unknown (eks:DescribeCluster)`,
      );
      return;
    }
    const target: PodIdentityTarget = {
      cluster,
      region,
      namespace: ns,
      serviceAccount: sa,
      source: mechanism.source,
    };
    let verdict: PodIdentityVerdict;
    try {
      verdict = answerVerdict(await ctx.aws.assumeRoleForPodIdentity(cluster, token, region), target);
    } catch (e) {
      // No verdict (throttled, timed out, unreachable): "could not check", reported as cannot-ask.
      const refused = refusalVerdict(e, target);
      if (!refused) throw e;
      verdict = refused;
    }
    if (verdict.level === 'FAIL') out.fail(verdict.id, verdict.message, { fix: verdict.fix });
    else if (verdict.level === 'INFO') out.info(verdict.id, verdict.message);
    else {
      out.ok(verdict.id, verdict.message);
      // Only the association's role's own credentials go to the --direct data-plane proofs.
      if (verdict.credentials) credentials.set(c.key, verdict.credentials);
    }
    return;
  }

  const roleArn = mechanism.roleArn;
  let assumed: string;
  let handedOut: TemporaryCredentials | undefined;
  try {
    const region = stsRegion(await facts.region(), ctx.options.region, anchors.issuer);
    const answer = await ctx.aws.assumeRoleWithWebIdentity(roleArn, token, region);
    assumed = answer.assumedRoleArn;
    handedOut = answer.credentials;
  } catch (e) {
    const refusal = stsRefusal(e, await facts.oidcProviderArn(), roleArn, anchors.issuer, subject, audience);
    if (!refusal) throw e;
    out.fail('token-sts', refusal.message, { fix: refusal.fix });
    return;
  }
  if (!assumedRoleMatchesRole(assumed, roleArn)) {
    out.fail(
      'token-role',
      `STS assumed ${assumed} for the token, not the annotated ${roleWords(roleArn, 'IRSA')}`,
      {
        fix: 'Check the role ARN annotation (account, role name) against the role STS assumed, then run again.',
      },
    );
    return;
  }
  // Only the role's own credentials go to the --direct data-plane proofs (they count on it).
  if (handedOut) credentials.set(c.key, handedOut);
  out.ok(
    'token-role',
    `pod-less proof: a token for ${subject} (aud ${audience}) is accepted by STS as ${roleArn}`,
  );
}

export const token = defineModule({
  id: 'token',
  title: 'Pod-less proof of the trust chain',
  needs: ['caller', 'plan', 'roleArns', 'kubernetes'],
  uses: ['issuer', 'oidcProviderArn', 'region', 'publicIssuer', 'credentialSources', 'cluster'],
  provides: ['webIdentity'],
  checks: CHECKS,
  async run(ctx, out) {
    // --no-token disables both exchanges: each begins with a TokenRequest (a write).
    if (!ctx.options.token) {
      out.info('skipped (--no-token)');
      return;
    }
    const { plan, roleArns } = ctx.facts;
    // Pods of a ServiceAccount with a Pod Identity association get no web identity token but
    // the agent's credentials (platform/pod-identity.ts): proven the way the agent gets them.
    const sources = await ctx.use('credentialSources');
    const mechanisms = new Map<string, Mechanism>();
    for (const c of plan) {
      const source = sources?.get(c.key);
      if (source?.mechanism === 'pod-identity') mechanisms.set(c.key, { kind: 'pod-identity', source });
      else if (roleArns.has(c.key)) mechanisms.set(c.key, { kind: 'irsa', roleArn: roleArns.get(c.key)! });
    }
    const targets = plan.filter((c) => mechanisms.has(c.key));
    if (targets.length === 0) {
      out.info('skipped: no component has a role ARN to prove');
      return;
    }
    const anyIrsa = [...mechanisms.values()].some((m) => m.kind === 'irsa');
    const facts: ProofFacts = {
      anchors: loadAnchors(ctx, ctx.use('issuer'), ctx.use('publicIssuer'), out, anyIrsa),
      region: () => ctx.use('region'),
      oidcProviderArn: () => ctx.use('oidcProviderArn'),
      cluster: async () => (await ctx.use('cluster'))?.name,
    };
    // The credentials of each proven role: the --direct data-plane proofs sign with them
    // instead of asking STS or EKS Auth again.
    const credentials = new Map<string, TemporaryCredentials>();
    await eachInOrder(
      targets,
      out,
      (c) => c.key,
      (c, o) => proveComponent(ctx, c, mechanisms.get(c.key)!, facts, o, credentials),
    );
    ctx.provide('webIdentity', credentials);
  },
});
