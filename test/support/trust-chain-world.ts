/**
 * Gives an in-memory world a working trust chain, as EKS and STS would: a signing
 * key with its issuer discovery (JWKS), TokenRequests minted as real RS256 JWTs,
 * STS AssumeRoleWithWebIdentity answered by evaluating each role's trust policy,
 * and verification Jobs that print what the AWS CLI and the TCP probe would.
 * The demo and end-to-end-like module runs use it so that only planted faults fail.
 */
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { normalizePolicy, trustAdmits } from '../../src/iam/policy.js';
import { oidcProviderArn, parseRoleArn } from '../../src/iam/arn.js';
import type { WorldModel } from './world.js';

const KID = 'irsa-check-test-key';

export async function withTrustChain(world: WorldModel): Promise<WorldModel> {
  const cluster = world.aws.clusters?.[0];
  const issuer = cluster?.issuer;
  const account = world.aws.caller?.account ?? '123456789012';
  if (!issuer) throw new Error('withTrustChain needs an EKS cluster with an OIDC issuer in the world');
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
  world.kube.issuer = {
    configuration: {
      issuer,
      jwks_uri: `${issuer}/keys`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    },
    jwks: { keys: [jwk] },
  };
  world.kube.tokenFor = (ns, sa, audience, expirationSeconds) =>
    new SignJWT({ 'kubernetes.io': { namespace: ns, serviceaccount: { name: sa } } })
      .setProtectedHeader({ alg: 'RS256', kid: KID })
      .setIssuer(issuer)
      .setSubject(`system:serviceaccount:${ns}:${sa}`)
      .setAudience(audience)
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime(`${expirationSeconds}s`)
      .sign(privateKey);

  // STS: a role is assumed when its trust policy admits the ServiceAccount that asks.
  const providerArn = oidcProviderArn('aws', account, issuer);
  const assumedBy = new Map<string, string>();
  world.aws.assumeRole = {};
  for (const sa of world.kube.serviceAccounts ?? []) {
    const roleArn = sa.annotations['eks.amazonaws.com/role-arn'];
    const role = (world.aws.roles ?? []).find((r) => r.arn === roleArn);
    const parsed = roleArn ? parseRoleArn(roleArn) : undefined;
    if (!role || !parsed) continue;
    const sub = `system:serviceaccount:${sa.namespace}:${sa.name}`;
    const aud = sa.annotations['eks.amazonaws.com/audience'] ?? 'sts.amazonaws.com';
    if (trustAdmits(normalizePolicy(role.trustPolicy), { providerArn, sub, aud }).decision === 'Allow') {
      const assumed = `arn:${parsed.partition}:sts::${parsed.account}:assumed-role/${parsed.name}/botocore-session-1763800000`;
      world.aws.assumeRole[roleArn!] = { assumedRoleArn: assumed };
      assumedBy.set(sa.name, assumed);
    } else {
      world.aws.assumeRole[roleArn!] = {
        api: 'aws',
        operation: 'sts:AssumeRoleWithWebIdentity',
        reason: 'AccessDenied',
        message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
        status: 403,
      };
    }
  }

  // Jobs: the identity Job prints get-caller-identity (or the CLI's error); the TCP probe connects.
  world.kube.jobFor = (manifest) => {
    const m = manifest as {
      metadata: { labels: Record<string, string> };
      spec: { template: { spec: { serviceAccountName?: string } } };
    };
    if (m.metadata.labels['irsa-check/purpose'] === 'tcp')
      return { outcome: 'succeeded', exitCode: 0, logs: 'IRSA_CHECK_TCP=open\n' };
    const assumed = assumedBy.get(m.spec.template.spec.serviceAccountName ?? '');
    // The data-plane Jobs: the login and the role mapping work wherever IRSA does.
    const purpose = m.metadata.labels['irsa-check/purpose'];
    // What the Job's sts get-caller-identity prints: the role IRSA gave the pod.
    const caller = assumed ? ` caller=${Buffer.from(assumed).toString('base64')}` : '';
    if (purpose === 'aurora')
      return {
        outcome: 'succeeded',
        exitCode: 0,
        logs: assumed
          ? `IRSA_CHECK_AURORA outcome=ok rds_iam=t tls=verified${caller}\n`
          : 'IRSA_CHECK_AURORA outcome=no-credentials\n',
      };
    if (purpose === 'authinfo') {
      if (!assumed)
        return { outcome: 'succeeded', exitCode: 0, logs: 'IRSA_CHECK_AUTHINFO outcome=no-credentials\n' };
      const role = assumed.replace(/:sts::(\d+):assumed-role\/([^/]+)\/.*$/, ':iam::$1:role/$2');
      const body = JSON.stringify({ user_name: role, backend_roles: [role], roles: ['all_access'] });
      return {
        outcome: 'succeeded',
        exitCode: 0,
        logs: `IRSA_CHECK_AUTHINFO status=200 body=${Buffer.from(body).toString('base64')}${caller}\n`,
      };
    }
    if (!assumed) {
      return {
        outcome: 'failed',
        exitCode: 254,
        logs: '\nAn error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity\n',
      };
    }
    const identity = {
      UserId: 'AROA2EXAMPLEROLEID:botocore-session-1763800000',
      Account: account,
      Arn: assumed,
    };
    return { outcome: 'succeeded', exitCode: 0, logs: JSON.stringify(identity, null, 4) + '\n' };
  };
  return world;
}
