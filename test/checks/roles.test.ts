import { describe, expect, it } from 'vitest';
import { ApiCallError } from '../../src/core/errors.js';
import type { Aws } from '../../src/ports/aws.js';
import type { WorldModel, WorldRole } from '../support/world.js';
import {
  describeModuleCases,
  healthy,
  plant,
  rewriteWorld,
  runModules,
  type ModuleCase,
} from './aws-checks-harness.js';

const ACCT = '123456789012';
const ID = '5C9F1A2B3D4E5F60718293A4B5C6D7E8';
const OTHER_ID = '0A1B2C3D4E5F60718293A4B5C6D7E8F9';
const HOST_PATH = `oidc.eks.eu-west-1.amazonaws.com/id/${ID}`;
const CLUSTER_RID = 'cluster-7GJQ2XKZ5N4M3P2R1S0T9U8V7W';
const dbUserArn = (user: string, rid = CLUSTER_RID) =>
  `arn:aws:rds-db:eu-west-1:${ACCT}:dbuser:${rid}/${user}`;
const DOMAIN_RESOURCE = `arn:aws:es:eu-west-1:${ACCT}:domain/camunda-prod-os/*`;

type Doc = { Version?: string; Statement: Array<Record<string, unknown>> };

const role = (w: WorldModel, name: string): WorldRole => w.aws.roles!.find((r) => r.name === name)!;
const trust = (w: WorldModel, name: string) => (role(w, name).trustPolicy as Doc).Statement[0]!;
const policy = (w: WorldModel, arn: string) => w.aws.policies![arn] as Doc;
const KEYCLOAK_POLICY = `arn:aws:iam::${ACCT}:policy/camunda-keycloak-rds-iam-auth`;
const MODELER_POLICY = `arn:aws:iam::${ACCT}:policy/camunda-web-modeler-rds-iam-auth`;
const identityInline = (w: WorldModel) => role(w, 'camunda-identity-irsa').inline![0]!.document as Doc;
/** A company's region guard: deny everything but IAM/STS outside the approved regions. */
const regionGuard = (regions: string[]) => ({
  Sid: 'RegionGuard',
  Effect: 'Deny',
  NotAction: ['iam:*', 'sts:*'],
  Resource: '*',
  Condition: { StringNotEquals: { 'aws:RequestedRegion': regions } },
});
const domainPolicy = (w: WorldModel) => w.aws.domains![0]!.accessPolicies as Doc;
/** The domain's access policy names only the account: it delegates to the roles' IAM policies. */
const delegateDomainToAccount = (w: WorldModel) => {
  domainPolicy(w).Statement[0]!.Principal = { AWS: `arn:aws:iam::${ACCT}:root` };
};
const DELEGATED = (c: 'orchestration' | 'optimize', roleName: string) =>
  `[OK] ${c}: the access policy of OpenSearch domain camunda-prod-os admits role ${roleName} through its account (statement "CamundaRoles"): the role's own policies must allow it too`;
const EITHER_SUFFICES = (c: 'orchestration' | 'optimize', roleName: string) =>
  `[OK] ${c}: the access policy of OpenSearch domain camunda-prod-os does not grant role ${roleName} by itself, and the role's own policies allow it: within one account either suffices`;

// ---------------------------------------------------------------- expected lines

const COMPONENTS = ['identityKeycloak', 'identity', 'webModeler', 'orchestration', 'optimize'] as const;
type Component = (typeof COMPONENTS)[number];

const trusted = (c: Component, roleName: string, sa: string, sid: string) =>
  `[OK] ${c}: role ${roleName} trusts system:serviceaccount:camunda:${sa} (audience sts.amazonaws.com) from this cluster's OIDC provider (statement "${sid}")`;

const HEALTHY: Record<Component, string[]> = {
  identityKeycloak: [
    trusted('identityKeycloak', 'camunda-keycloak-irsa', 'camunda-keycloak', 'CamundaKeycloakIrsa'),
    '[OK] identityKeycloak: role camunda-keycloak-irsa allows rds-db:connect as keycloak_irsa on Aurora cluster camunda-prod-aurora (statement "KeycloakDbConnect" of policy "camunda-keycloak-rds-iam-auth")',
  ],
  identity: [
    trusted('identity', 'camunda-identity-irsa', 'camunda-identity', 'CamundaIdentityIrsa'),
    '[OK] identity: role camunda-identity-irsa allows rds-db:connect as identity_irsa on Aurora cluster camunda-prod-aurora (statement "IdentityDbConnect" of policy "rds-iam-auth")',
  ],
  webModeler: [
    trusted('webModeler', 'camunda-web-modeler-irsa', 'camunda-web-modeler', 'CamundaWebModelerIrsa'),
    '[OK] webModeler: role camunda-web-modeler-irsa allows rds-db:connect as modeler_irsa on Aurora cluster camunda-prod-aurora (statement "WebModelerDbConnect" of policy "camunda-web-modeler-rds-iam-auth")',
  ],
  orchestration: [
    trusted('orchestration', 'camunda-orchestration-irsa', 'camunda-zeebe', 'CamundaOrchestrationIrsa'),
    `[OK] orchestration: role camunda-orchestration-irsa allows es:ESHttpGet/Head/Put/Post/Delete on ${DOMAIN_RESOURCE} (statement "OpenSearchHttp" of policy "camunda-opensearch-access")`,
    '[OK] orchestration: the access policy of OpenSearch domain camunda-prod-os admits role camunda-orchestration-irsa (statement "CamundaRoles")',
  ],
  optimize: [
    trusted('optimize', 'camunda-optimize-irsa', 'camunda-optimize', 'CamundaOptimizeIrsa'),
    `[OK] optimize: role camunda-optimize-irsa allows es:ESHttpGet/Head/Put/Post/Delete on ${DOMAIN_RESOURCE} (statement "OpenSearchHttp" of policy "camunda-opensearch-access")`,
    '[OK] optimize: the access policy of OpenSearch domain camunda-prod-os admits role camunda-optimize-irsa (statement "CamundaRoles")',
  ],
};

/** The healthy lines with some components' lines replaced. */
const expected = (changed: Partial<Record<Component, string[]>>) =>
  COMPONENTS.flatMap((c) => changed[c] ?? HEALTHY[c]);

interface Case extends ModuleCase {
  exitCode: number;
}

const GET_ROLE_DENIED = new ApiCallError(
  'aws',
  'iam:GetRole',
  'AccessDenied',
  `User: arn:aws:sts::${ACCT}:assumed-role/PlatformAdmin/jane is not authorized to perform: iam:GetRole`,
  403,
);

/** iam:GetRole refused for one role only: the others must still be checked. */
const denyGetRoleFor =
  (name: string) =>
  (aws: Aws): Aws =>
    new Proxy(aws, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (prop !== 'role') return value;
        return async (n: string) => {
          if (n === name) throw GET_ROLE_DENIED;
          return target.role(n);
        };
      },
    });

const toChina = (w: WorldModel) =>
  rewriteWorld(w, [
    [/eu-west-1/g, 'cn-north-1'],
    [/arn:aws:/g, 'arn:aws-cn:'],
    [/(cn-north-1(?:\.(?:rds|es|eks))?)\.amazonaws\.com(?!\.cn)/g, '$1.amazonaws.com.cn'],
  ]);
const toGovCloud = (w: WorldModel) =>
  rewriteWorld(w, [
    [/eu-west-1/g, 'us-gov-west-1'],
    [/arn:aws:/g, 'arn:aws-us-gov:'],
  ]);
const linesIn = (lines: string[], pairs: Array<[RegExp, string]>) =>
  lines.map((l) => pairs.reduce((s, [re, to]) => s.replace(re, to), l));

const cases: Case[] = [
  { name: 'healthy', world: healthy, lines: expected({}), exitCode: 0 },

  // ------------------------------------------------ original's mistakes
  {
    name: 'aws-cn partition (arn:aws: was hard-coded)',
    world: toChina(healthy),
    lines: linesIn(expected({}), [
      [/eu-west-1/g, 'cn-north-1'],
      [/arn:aws:/g, 'arn:aws-cn:'],
    ]),
    exitCode: 0,
  },
  {
    name: 'aws-us-gov partition',
    world: toGovCloud(healthy),
    lines: linesIn(expected({}), [
      [/eu-west-1/g, 'us-gov-west-1'],
      [/arn:aws:/g, 'arn:aws-us-gov:'],
    ]),
    exitCode: 0,
  },
  {
    name: 'inline-only policies count',
    world: plant((w) => {
      const r = role(w, 'camunda-keycloak-irsa');
      r.inline = [{ name: 'keycloak-db', document: policy(w, KEYCLOAK_POLICY) }];
      delete r.attached;
    }),
    lines: expected({
      identityKeycloak: [
        HEALTHY.identityKeycloak[0]!,
        '[OK] identityKeycloak: role camunda-keycloak-irsa allows rds-db:connect as keycloak_irsa on Aurora cluster camunda-prod-aurora (statement "KeycloakDbConnect" of policy "keycloak-db")',
      ],
    }),
    exitCode: 0,
  },
  {
    name: 'Action as an array in the trust policy',
    world: plant(
      (w) =>
        (trust(w, 'camunda-web-modeler-irsa').Action = ['sts:TagSession', 'sts:AssumeRoleWithWebIdentity']),
    ),
    lines: expected({}),
    exitCode: 0,
  },
  {
    name: 'rds-db:* on another cluster',
    world: plant((w) => {
      const st = policy(w, KEYCLOAK_POLICY).Statement[0]!;
      st.Action = 'rds-db:*';
      st.Resource = dbUserArn('*', 'cluster-OTHERCLUSTER00000000000000');
    }),
    lines: expected({
      identityKeycloak: [
        HEALTHY.identityKeycloak[0]!,
        `[FAIL] identityKeycloak: role camunda-keycloak-irsa (IRSA, account 123456789012) may not rds-db:connect as keycloak_irsa to Aurora cluster camunda-prod-aurora (${dbUserArn('keycloak_irsa')}): it allows rds-db:connect only on ${dbUserArn('*', 'cluster-OTHERCLUSTER00000000000000')} (statement "KeycloakDbConnect" of policy "camunda-keycloak-rds-iam-auth")`,
      ],
    }),
    exitCode: 211,
    fix: `Allow {"Effect": "Allow", "Action": "rds-db:connect", "Resource": "${dbUserArn('keycloak_irsa')}"} in a policy of role camunda-keycloak-irsa.`,
  },
  {
    name: 'another database user',
    world: plant((w) => (policy(w, MODELER_POLICY).Statement[0]!.Resource = dbUserArn('modeler'))),
    lines: expected({
      webModeler: [
        HEALTHY.webModeler[0]!,
        `[FAIL] webModeler: role camunda-web-modeler-irsa (IRSA, account 123456789012) may not rds-db:connect as modeler_irsa to Aurora cluster camunda-prod-aurora (${dbUserArn('modeler_irsa')}): it allows rds-db:connect only on ${dbUserArn('modeler')} (statement "WebModelerDbConnect" of policy "camunda-web-modeler-rds-iam-auth")`,
      ],
    }),
    exitCode: 211,
  },
  {
    name: 'explicit Deny wins',
    world: plant((w) =>
      identityInline(w).Statement.push({
        Sid: 'NoDatabases',
        Effect: 'Deny',
        Action: 'rds-db:*',
        Resource: '*',
      }),
    ),
    lines: expected({
      identity: [
        HEALTHY.identity[0]!,
        `[FAIL] identity: role camunda-identity-irsa (IRSA, account 123456789012) may not rds-db:connect as identity_irsa to Aurora cluster camunda-prod-aurora (${dbUserArn('identity_irsa')}): explicitly denied by statement "NoDatabases" of policy "rds-iam-auth"`,
      ],
    }),
    exitCode: 211,
    fix: `Remove or narrow statement "NoDatabases" of policy "rds-iam-auth" so it does not match ${dbUserArn('identity_irsa')}.`,
  },
  {
    name: 'undetermined Allow: rds-db:connect only under a condition irsa-check cannot know is a FAIL naming the statement',
    world: plant((w) => {
      identityInline(w).Statement[0]!.Condition = { StringEquals: { 'aws:SourceVpc': 'vpc-0a1b2c3d' } };
    }),
    lines: expected({
      identity: [
        HEALTHY.identity[0]!,
        `[FAIL] identity: irsa-check cannot decide whether role camunda-identity-irsa (IRSA, account 123456789012) may rds-db:connect as identity_irsa to Aurora cluster camunda-prod-aurora (${dbUserArn('identity_irsa')}): statement "IdentityDbConnect" of policy "rds-iam-auth" (Allow) may apply: the value of condition key aws:SourceVpc is unknown to irsa-check`,
      ],
    }),
    exitCode: 211,
    fix: 'Confirm by hand whether statement "IdentityDbConnect" of policy "rds-iam-auth" applies to this request, or rewrite it with elements irsa-check evaluates (README, "IAM policy evaluation").',
  },
  {
    name: 'undetermined Deny: a Deny on a condition irsa-check cannot know is a WARN, never an OK',
    world: plant((w) =>
      identityInline(w).Statement.push({
        Sid: 'OfficeOnly',
        Effect: 'Deny',
        Action: 'rds-db:connect',
        Resource: '*',
        Condition: { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
      }),
    ),
    lines: expected({
      identity: [
        HEALTHY.identity[0]!,
        `[WARN] identity: irsa-check cannot decide whether role camunda-identity-irsa (IRSA, account 123456789012) may rds-db:connect as identity_irsa to Aurora cluster camunda-prod-aurora (${dbUserArn('identity_irsa')}): statement "OfficeOnly" of policy "rds-iam-auth" (Deny) may apply: the value of condition key aws:SourceIp is unknown to irsa-check`,
      ],
    }),
    exitCode: 0,
  },
  {
    name: 'another cluster’s OIDC provider',
    world: plant((w) => {
      const r = role(w, 'camunda-identity-irsa');
      r.trustPolicy = JSON.parse(JSON.stringify(r.trustPolicy).replaceAll(ID, OTHER_ID));
    }),
    lines: expected({
      identity: [
        `[FAIL] identity: the trust policy of role camunda-identity-irsa (IRSA, account 123456789012) trusts OIDC provider oidc.eks.eu-west-1.amazonaws.com/id/${OTHER_ID}, not this cluster's ${HOST_PATH}`,
        HEALTHY.identity[1]!,
      ],
    }),
    exitCode: 201,
    fix: `Set Principal.Federated to "arn:aws:iam::${ACCT}:oidc-provider/${HOST_PATH}" (this cluster's IAM OIDC provider) in the trust policy of role camunda-identity-irsa. Its condition keys must start with "${HOST_PATH}:".`,
  },
  {
    name: 'this cluster’s issuer, but an OIDC provider ARN of another account',
    world: plant((w) => {
      trust(w, 'camunda-identity-irsa').Principal = {
        Federated: `arn:aws:iam::210987654321:oidc-provider/${HOST_PATH}`,
      };
    }),
    lines: expected({
      identity: [
        `[FAIL] identity: the trust policy of role camunda-identity-irsa (IRSA, account 123456789012) trusts OIDC provider arn:aws:iam::210987654321:oidc-provider/${HOST_PATH}, not this cluster's arn:aws:iam::${ACCT}:oidc-provider/${HOST_PATH}`,
        HEALTHY.identity[1]!,
      ],
    }),
    exitCode: 201,
  },
  {
    name: 'sub admits another service account',
    world: plant((w) => {
      const cond = trust(w, 'camunda-web-modeler-irsa').Condition as Record<string, Record<string, string>>;
      cond.StringEquals![`${HOST_PATH}:sub`] = 'system:serviceaccount:camunda:web-modeler';
    }),
    lines: expected({
      webModeler: [
        '[FAIL] webModeler: trust policy of role camunda-web-modeler-irsa (IRSA, account 123456789012) does not admit system:serviceaccount:camunda:camunda-web-modeler: statement "CamundaWebModelerIrsa" admits system:serviceaccount:camunda:web-modeler',
        HEALTHY.webModeler[1]!,
      ],
    }),
    exitCode: 202,
    fix: `Write "Condition": {"StringEquals": {"${HOST_PATH}:sub": "system:serviceaccount:camunda:camunda-web-modeler", "${HOST_PATH}:aud": "sts.amazonaws.com"}} in statement "CamundaWebModelerIrsa" of the trust policy of role camunda-web-modeler-irsa.`,
  },
  {
    name: 'a Deny statement of the trust policy refuses the service account',
    world: plant((w) => {
      (role(w, 'camunda-web-modeler-irsa').trustPolicy as Doc).Statement.push({
        Sid: 'NoModeler',
        Effect: 'Deny',
        Principal: { Federated: `arn:aws:iam::${ACCT}:oidc-provider/${HOST_PATH}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
      });
    }),
    lines: expected({
      webModeler: [
        '[FAIL] webModeler: the trust policy of role camunda-web-modeler-irsa (IRSA, account 123456789012) denies system:serviceaccount:camunda:camunda-web-modeler: statement "NoModeler"',
        HEALTHY.webModeler[1]!,
      ],
    }),
    exitCode: 202,
    fix: 'Remove statement "NoModeler" from the trust policy of role camunda-web-modeler-irsa, or narrow it so it does not match system:serviceaccount:camunda:camunda-web-modeler.',
  },
  {
    name: 'sub and aud admitted, but only by different statements',
    world: plant((w) => {
      const doc = role(w, 'camunda-web-modeler-irsa').trustPolicy as Doc;
      const first = doc.Statement[0]!;
      const second = JSON.parse(JSON.stringify(first)) as typeof first;
      second.Sid = 'OtherAccount';
      (second.Condition as Record<string, Record<string, string>>).StringEquals![`${HOST_PATH}:sub`] =
        'system:serviceaccount:camunda:other';
      (first.Condition as Record<string, Record<string, string>>).StringEquals![`${HOST_PATH}:aud`] = 'other';
      doc.Statement.push(second);
    }),
    lines: expected({
      webModeler: [
        '[FAIL] webModeler: no statement of the trust policy of role camunda-web-modeler-irsa (IRSA, account 123456789012) admits system:serviceaccount:camunda:camunda-web-modeler together with audience sts.amazonaws.com',
        HEALTHY.webModeler[1]!,
      ],
    }),
    exitCode: 202,
  },
  {
    name: 'StringLike wildcard that admits',
    world: plant((w) => {
      trust(w, 'camunda-identity-irsa').Condition = {
        StringLike: { [`${HOST_PATH}:sub`]: 'system:serviceaccount:camunda:*' },
        StringEquals: { [`${HOST_PATH}:aud`]: 'sts.amazonaws.com' },
      };
    }),
    lines: expected({}),
    exitCode: 0,
  },
  {
    name: 'StringLike wildcard for another namespace',
    world: plant((w) => {
      trust(w, 'camunda-identity-irsa').Condition = {
        StringLike: { [`${HOST_PATH}:sub`]: 'system:serviceaccount:camunda-dev:*' },
      };
    }),
    lines: expected({
      identity: [
        '[FAIL] identity: trust policy of role camunda-identity-irsa (IRSA, account 123456789012) does not admit system:serviceaccount:camunda:camunda-identity: statement "CamundaIdentityIrsa" admits system:serviceaccount:camunda-dev:* (StringLike)',
        HEALTHY.identity[1]!,
      ],
    }),
    exitCode: 202,
  },
  {
    name: 'StringEquals does not expand wildcards',
    world: plant((w) => {
      const cond = trust(w, 'camunda-identity-irsa').Condition as Record<string, Record<string, string>>;
      cond.StringEquals![`${HOST_PATH}:sub`] = 'system:serviceaccount:camunda:*';
    }),
    lines: expected({
      identity: [
        '[FAIL] identity: trust policy of role camunda-identity-irsa (IRSA, account 123456789012) does not admit system:serviceaccount:camunda:camunda-identity: statement "CamundaIdentityIrsa" admits system:serviceaccount:camunda:*',
        HEALTHY.identity[1]!,
      ],
    }),
    exitCode: 202,
  },
  {
    name: 'aud condition that does not admit sts.amazonaws.com',
    world: plant((w) => {
      const cond = trust(w, 'camunda-keycloak-irsa').Condition as Record<string, Record<string, string>>;
      cond.StringEquals![`${HOST_PATH}:aud`] = 'sts.example.com';
    }),
    lines: expected({
      identityKeycloak: [
        '[FAIL] identityKeycloak: trust policy of role camunda-keycloak-irsa (IRSA, account 123456789012) does not admit audience sts.amazonaws.com: statement "CamundaKeycloakIrsa" admits sts.example.com',
        HEALTHY.identityKeycloak[1]!,
      ],
    }),
    exitCode: 203,
  },
  {
    name: 'audience annotation the trust policy does not admit',
    world: plant((w) => {
      w.kube.serviceAccounts!.find((s) => s.name === 'camunda-identity')!.annotations[
        'eks.amazonaws.com/audience'
      ] = 'identity.example.com';
    }),
    lines: expected({
      identity: [
        '[FAIL] identity: service account camunda-identity requests token audience identity.example.com (eks.amazonaws.com/audience), but the trust policy of role camunda-identity-irsa (IRSA, account 123456789012) does not admit it: statement "CamundaIdentityIrsa" admits sts.amazonaws.com',
        HEALTHY.identity[1]!,
      ],
    }),
    exitCode: 222,
  },
  {
    name: 'audience annotation and trust policy agree on a custom audience',
    world: plant((w) => {
      w.kube.serviceAccounts!.find((s) => s.name === 'camunda-identity')!.annotations[
        'eks.amazonaws.com/audience'
      ] = 'identity.example.com';
      const cond = trust(w, 'camunda-identity-irsa').Condition as Record<string, Record<string, string>>;
      cond.StringEquals![`${HOST_PATH}:aud`] = 'identity.example.com';
    }),
    lines: expected({
      identity: [
        HEALTHY.identity[0]!.replace('audience sts.amazonaws.com', 'audience identity.example.com'),
        HEALTHY.identity[1]!,
      ],
    }),
    exitCode: 0,
  },
  {
    // IAM User Guide, "AWS global condition context keys", aws:RequestedRegion: always in the
    // request; for rds-db:connect, the Aurora cluster's region.
    name: 'a company region guard (Deny outside eu-central-1) applies to the Aurora cluster in eu-west-1',
    world: plant((w) => identityInline(w).Statement.push(regionGuard(['eu-central-1']))),
    lines: expected({
      identity: [
        HEALTHY.identity[0]!,
        `[FAIL] identity: role camunda-identity-irsa (IRSA, account 123456789012) may not rds-db:connect as identity_irsa to Aurora cluster camunda-prod-aurora (${dbUserArn('identity_irsa')}): explicitly denied by statement "RegionGuard" of policy "rds-iam-auth"`,
      ],
    }),
    exitCode: 211,
  },
  {
    name: 'a company region guard that admits eu-west-1 does not apply: no WARN',
    world: plant((w) => identityInline(w).Statement.push(regionGuard(['eu-central-1', 'eu-west-1']))),
    lines: expected({}),
    exitCode: 0,
  },
  {
    name: 'permissions boundary without rds-db:connect',
    world: plant((w) => {
      const arn = `arn:aws:iam::${ACCT}:policy/boundary-s3-only`;
      role(w, 'camunda-identity-irsa').permissionsBoundaryArn = arn;
      w.aws.policies![arn] = {
        Statement: [{ Sid: 'S3Only', Effect: 'Allow', Action: 's3:*', Resource: '*' }],
      };
    }),
    lines: expected({
      identity: [
        HEALTHY.identity[0]!,
        `[FAIL] identity: role camunda-identity-irsa (IRSA, account 123456789012) may not rds-db:connect as identity_irsa to Aurora cluster camunda-prod-aurora (${dbUserArn('identity_irsa')}): allowed by statement "IdentityDbConnect" of policy "rds-iam-auth", but not by the permissions boundary boundary-s3-only`,
      ],
    }),
    exitCode: 211,
    fix: `Allow rds-db:connect on ${dbUserArn('identity_irsa')} in the permissions boundary boundary-s3-only of role camunda-identity-irsa.`,
  },
  {
    name: 'permissions boundary that allows it',
    world: plant((w) => {
      const arn = `arn:aws:iam::${ACCT}:policy/boundary-data`;
      role(w, 'camunda-identity-irsa').permissionsBoundaryArn = arn;
      w.aws.policies![arn] = {
        Statement: [{ Effect: 'Allow', Action: ['s3:*', 'rds-db:connect'], Resource: '*' }],
      };
    }),
    lines: expected({}),
    exitCode: 0,
  },
  {
    name: 'role missing',
    world: plant((w) => (w.aws.roles = w.aws.roles!.filter((r) => r.name !== 'camunda-optimize-irsa'))),
    lines: expected({
      optimize: [`[FAIL] optimize: role camunda-optimize-irsa (IRSA, account ${ACCT}) does not exist`],
    }),
    exitCode: 120,
  },
  {
    name: 'role in another account',
    world: plant((w) => {
      const other = 'arn:aws:iam::210987654321:role/camunda-optimize-irsa';
      w.kube.serviceAccounts!.find((s) => s.name === 'camunda-optimize')!.annotations[
        'eks.amazonaws.com/role-arn'
      ] = other;
      for (const p of w.kube.pods!)
        for (const c of p.containers)
          for (const e of c.env) if (e.value?.endsWith('role/camunda-optimize-irsa')) e.value = other;
    }),
    lines: expected({
      optimize: [
        `[INFO] optimize: cannot check from account ${ACCT}: the trust and permission policies of role camunda-optimize-irsa (IRSA, account 210987654321); run with a profile for account 210987654321 (--profile-for 210987654321=<profile>, or --assume-role 210987654321=arn:aws:iam::210987654321:role/<a role that may read it>)`,
      ],
    }),
    exitCode: 0,
  },
  {
    name: 'AccessDenied on iam:GetRole for one component',
    world: healthy,
    harness: { aws: denyGetRoleFor('camunda-identity-irsa') },
    lines: expected({
      identity: [
        '[FAIL] identity: irsa-check cannot call iam:GetRole (AccessDenied): grant it, see README "Permissions"',
      ],
    }),
    exitCode: 2,
    fix: 'Grant iam:GetRole to the identity irsa-check runs as (README, "Permissions").',
  },
  {
    // IAM User Guide, "Policy evaluation logic", identity-based and resource-based policies: within
    // one account an Allow in either suffices.
    name: 'OpenSearch access policy that does not name the role, whose own policies allow it: OK within one account',
    world: plant((w) => {
      const st = (w.aws.domains![0]!.accessPolicies as Doc).Statement[0]!;
      st.Principal = { AWS: [`arn:aws:iam::${ACCT}:role/camunda-orchestration-irsa`] };
    }),
    lines: expected({
      optimize: [...HEALTHY.optimize.slice(0, 2), EITHER_SUFFICES('optimize', 'camunda-optimize-irsa')],
    }),
    exitCode: 0,
  },
  {
    name: 'OpenSearch access policy that does not admit the role, whose own policies allow no es:ESHttp*',
    world: plant((w) => {
      const st = (w.aws.domains![0]!.accessPolicies as Doc).Statement[0]!;
      st.Principal = { AWS: [`arn:aws:iam::${ACCT}:role/camunda-orchestration-irsa`] };
      role(w, 'camunda-optimize-irsa').attached = [];
      role(w, 'camunda-optimize-irsa').inline = [
        { name: 's3', document: { Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } },
      ];
    }),
    lines: expected({
      optimize: [
        HEALTHY.optimize[0]!,
        // One FAIL naming both sides (one account: either would suffice), not a second one for the domain.
        '[FAIL] optimize: no statement in the policies of role camunda-optimize-irsa (IRSA, account 123456789012) allows es:ESHttp*; nor does the access policy of OpenSearch domain camunda-prod-os allow the role es:ESHttpGet/Head/Put/Post/Delete (within one account either would suffice)',
      ],
    }),
    exitCode: 152, // es-http's code: the domain's 212 FAIL is no longer a second line for the same actions
    fix: `Attach a policy to role camunda-optimize-irsa that allows es:ESHttp* on arn:aws:es:<region>:<account>:domain/<domain>/*, or allow {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${ACCT}:role/camunda-optimize-irsa"}, "Action": ["es:ESHttpGet","es:ESHttpHead","es:ESHttpPut","es:ESHttpPost","es:ESHttpDelete"], "Resource": "${DOMAIN_RESOURCE}"} in the access policy of OpenSearch domain camunda-prod-os.`,
  },
  {
    // Camunda's reference access policy: "AWS": "*", es:* on domain/NAME/*, fine-grained access control on.
    name: 'open OpenSearch access policy ("AWS": "*") and a role without any es:* policy: the domain lets it in, FGAC decides',
    world: plant((w) => {
      const st = domainPolicy(w).Statement[0]!;
      st.Sid = 'Open';
      st.Principal = { AWS: '*' };
      st.Action = 'es:*';
      role(w, 'camunda-optimize-irsa').attached = [];
    }),
    lines: expected({
      orchestration: [
        ...HEALTHY.orchestration.slice(0, 2),
        '[OK] orchestration: the access policy of OpenSearch domain camunda-prod-os admits role camunda-orchestration-irsa (statement "Open")',
      ],
      optimize: [
        HEALTHY.optimize[0]!,
        `[OK] optimize: role camunda-optimize-irsa may es:ESHttpGet/Head/Put/Post/Delete on ${DOMAIN_RESOURCE}: the access policy of OpenSearch domain camunda-prod-os allows it (statement "Open"), which suffices within one account without a statement of the role's own; fine-grained access control then decides what it may do in OpenSearch`,
        '[OK] optimize: the access policy of OpenSearch domain camunda-prod-os admits role camunda-optimize-irsa (statement "Open")',
      ],
    }),
    exitCode: 0,
  },
  {
    name: 'OpenSearch access policy admitting the whole account',
    world: plant((w) => {
      const st = (w.aws.domains![0]!.accessPolicies as Doc).Statement[0]!;
      st.Sid = 'Account';
      st.Principal = { AWS: `arn:aws:iam::${ACCT}:root` };
    }),
    lines: expected({
      orchestration: [
        ...HEALTHY.orchestration.slice(0, 2),
        DELEGATED('orchestration', 'camunda-orchestration-irsa').replace('CamundaRoles', 'Account'),
      ],
      optimize: [
        ...HEALTHY.optimize.slice(0, 2),
        DELEGATED('optimize', 'camunda-optimize-irsa').replace('CamundaRoles', 'Account'),
      ],
    }),
    exitCode: 0,
  },
  {
    name: 'OpenSearch access policy denying the role',
    world: plant((w) => {
      (w.aws.domains![0]!.accessPolicies as Doc).Statement.push({
        Sid: 'NoOptimize',
        Effect: 'Deny',
        Principal: { AWS: `arn:aws:iam::${ACCT}:role/camunda-optimize-irsa` },
        Action: 'es:ESHttpPut',
        Resource: 'arn:aws:es:eu-west-1:123456789012:domain/camunda-prod-os/*',
      });
    }),
    lines: expected({
      optimize: [
        ...HEALTHY.optimize.slice(0, 2),
        `[FAIL] optimize: the access policy of OpenSearch domain camunda-prod-os denies role camunda-optimize-irsa (IRSA, account 123456789012) es:ESHttpPut on ${DOMAIN_RESOURCE}: statement "NoOptimize"`,
      ],
    }),
    exitCode: 212,
  },
  {
    name: 'undetermined Allow in the OpenSearch access policy, the role’s own policies allowing: OK within one account',
    world: plant((w) => {
      const st = (w.aws.domains![0]!.accessPolicies as Doc).Statement[0]!;
      st.Condition = { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } };
    }),
    lines: expected({
      orchestration: [
        ...HEALTHY.orchestration.slice(0, 2),
        EITHER_SUFFICES('orchestration', 'camunda-orchestration-irsa'),
      ],
      optimize: [...HEALTHY.optimize.slice(0, 2), EITHER_SUFFICES('optimize', 'camunda-optimize-irsa')],
    }),
    exitCode: 0,
  },
  {
    name: 'undetermined Allow in the OpenSearch access policy: an IP condition is a FAIL, never an OK',
    world: plant((w) => {
      const st = (w.aws.domains![0]!.accessPolicies as Doc).Statement[0]!;
      st.Condition = { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } };
      const own = policy(w, `arn:aws:iam::${ACCT}:policy/camunda-opensearch-access`).Statement[0]!;
      own.Action = 'es:ESHttpPatch'; // an es:ESHttp* action Camunda does not send
    }),
    lines: expected({
      orchestration: [
        HEALTHY.orchestration[0]!,
        '[FAIL] orchestration: no statement in the policies of role camunda-orchestration-irsa (IRSA, account 123456789012) allows es:ESHttp*',
        `[FAIL] orchestration: irsa-check cannot decide whether the access policy of OpenSearch domain camunda-prod-os admits role camunda-orchestration-irsa (IRSA, account 123456789012) to es:ESHttpGet on ${DOMAIN_RESOURCE}: statement "CamundaRoles" (Allow) may apply: the value of condition key aws:SourceIp is unknown to irsa-check`,
      ],
      optimize: [
        HEALTHY.optimize[0]!,
        '[FAIL] optimize: no statement in the policies of role camunda-optimize-irsa (IRSA, account 123456789012) allows es:ESHttp*',
        `[FAIL] optimize: irsa-check cannot decide whether the access policy of OpenSearch domain camunda-prod-os admits role camunda-optimize-irsa (IRSA, account 123456789012) to es:ESHttpGet on ${DOMAIN_RESOURCE}: statement "CamundaRoles" (Allow) may apply: the value of condition key aws:SourceIp is unknown to irsa-check`,
      ],
    }),
    exitCode: 212,
  },
  {
    name: 'undetermined Deny in the OpenSearch access policy: NotPrincipal naming the role but not its account is a WARN',
    world: plant((w) => {
      (w.aws.domains![0]!.accessPolicies as Doc).Statement.push({
        Sid: 'OnlyOrchestration',
        Effect: 'Deny',
        NotPrincipal: { AWS: `arn:aws:iam::${ACCT}:role/camunda-orchestration-irsa` },
        Action: 'es:*',
        Resource: `arn:aws:es:eu-west-1:${ACCT}:domain/camunda-prod-os/*`,
      });
    }),
    lines: expected({
      orchestration: [
        ...HEALTHY.orchestration.slice(0, 2),
        `[WARN] orchestration: irsa-check cannot decide whether the access policy of OpenSearch domain camunda-prod-os admits role camunda-orchestration-irsa (IRSA, account 123456789012) to es:ESHttpGet on ${DOMAIN_RESOURCE}: statement "OnlyOrchestration" (Deny) may apply: NotPrincipal lists the principal of arn:aws:iam::${ACCT}:role/camunda-orchestration-irsa but not its account; whether the statement applies depends on the service`,
      ],
      optimize: [
        ...HEALTHY.optimize.slice(0, 2),
        `[FAIL] optimize: the access policy of OpenSearch domain camunda-prod-os denies role camunda-optimize-irsa (IRSA, account 123456789012) es:ESHttpGet/Head/Put/Post/Delete on ${DOMAIN_RESOURCE}: statement "OnlyOrchestration"`,
      ],
    }),
    exitCode: 212,
  },
  {
    name: 'undetermined Deny in the trust policy: a Deny on a tag irsa-check cannot know is a WARN, never an OK',
    world: plant((w) => {
      (role(w, 'camunda-identity-irsa').trustPolicy as Doc).Statement.push({
        Sid: 'NoQuarantined',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { 'aws:RequestTag/quarantine': 'true' } },
      });
    }),
    lines: expected({
      identity: [
        `[WARN] identity: irsa-check cannot decide whether the trust policy of role camunda-identity-irsa (IRSA, account 123456789012) admits system:serviceaccount:camunda:camunda-identity (audience sts.amazonaws.com): statement "NoQuarantined" (Deny) may apply: the value of condition key aws:RequestTag/quarantine is unknown to irsa-check`,
        HEALTHY.identity[1]!,
      ],
    }),
    exitCode: 0,
  },
  {
    // A domain policy naming the account delegates to IAM: the role's own policies must allow.
    name: 'role policy without es:ESHttpPut/Post/Delete on the domain, whose access policy names only the account',
    world: plant((w) => {
      const st = policy(w, `arn:aws:iam::${ACCT}:policy/camunda-opensearch-access`).Statement[0]!;
      st.Action = ['es:ESHttpGet', 'es:ESHttpHead'];
      delegateDomainToAccount(w);
    }),
    lines: expected({
      orchestration: [
        HEALTHY.orchestration[0]!,
        `[FAIL] orchestration: role camunda-orchestration-irsa (IRSA, account 123456789012) may not es:ESHttpPut/Post/Delete on ${DOMAIN_RESOURCE}: no statement of its policies allows es:ESHttpPut/Post/Delete (Camunda sends es:ESHttpPut to create indices, index templates and mappings, es:ESHttpPost to write, bulk-index and search, es:ESHttpDelete to delete indices); statement "CamundaRoles" of the access policy of OpenSearch domain camunda-prod-os names only the account (arn:aws:iam::${ACCT}:root), which leaves it to the role's own policies`,
        DELEGATED('orchestration', 'camunda-orchestration-irsa'),
      ],
      optimize: [
        HEALTHY.optimize[0]!,
        `[FAIL] optimize: role camunda-optimize-irsa (IRSA, account 123456789012) may not es:ESHttpPut/Post/Delete on ${DOMAIN_RESOURCE}: no statement of its policies allows es:ESHttpPut/Post/Delete (Camunda sends es:ESHttpPut to create indices, index templates and mappings, es:ESHttpPost to write, bulk-index and search, es:ESHttpDelete to delete indices); statement "CamundaRoles" of the access policy of OpenSearch domain camunda-prod-os names only the account (arn:aws:iam::${ACCT}:root), which leaves it to the role's own policies`,
        DELEGATED('optimize', 'camunda-optimize-irsa'),
      ],
    }),
    exitCode: 212,
  },
  {
    name: 'IAM policy simulator disagrees',
    world: plant((w) => {
      w.aws.simulation = [
        { action: 'rds-db:connect', resource: dbUserArn('identity_irsa'), decision: 'implicitDeny' },
      ];
    }),
    lines: expected({
      identity: [
        HEALTHY.identity[0]!,
        `[WARN] identity: IAM's policy simulator and irsa-check disagree on rds-db:connect on ${dbUserArn('identity_irsa')} for role camunda-identity-irsa (IRSA, account 123456789012): the simulator says ImplicitDeny, the local evaluation Allow`,
        HEALTHY.identity[1]!,
      ],
    }),
    exitCode: 0,
  },

  // ------------------------------------------------ parity codes
  {
    name: 'trust policy without AssumeRoleWithWebIdentity',
    world: plant((w) => (trust(w, 'camunda-identity-irsa').Action = 'sts:AssumeRole')),
    lines: expected({
      identity: [
        '[FAIL] identity: the trust policy of role camunda-identity-irsa (IRSA, account 123456789012) has no Allow statement for sts:AssumeRoleWithWebIdentity',
        HEALTHY.identity[1]!,
      ],
    }),
    exitCode: 121,
  },
  {
    name: 'trust policy naming no EKS OIDC provider',
    world: plant((w) => {
      const st = trust(w, 'camunda-identity-irsa');
      st.Principal = { Federated: `arn:aws:iam::${ACCT}:oidc-provider/token.actions.githubusercontent.com` };
    }),
    lines: expected({
      identity: [
        `[FAIL] identity: the trust policy of role camunda-identity-irsa (IRSA, account 123456789012) names no EKS OIDC provider as Federated principal for sts:AssumeRoleWithWebIdentity (found: arn:aws:iam::${ACCT}:oidc-provider/token.actions.githubusercontent.com)`,
        HEALTHY.identity[1]!,
      ],
    }),
    exitCode: 122,
  },
  {
    name: 'pg role without policies',
    world: plant((w) => delete role(w, 'camunda-keycloak-irsa').attached),
    lines: expected({
      identityKeycloak: [
        HEALTHY.identityKeycloak[0]!,
        '[FAIL] identityKeycloak: role camunda-keycloak-irsa (IRSA, account 123456789012) has no attached or inline policies',
      ],
    }),
    exitCode: 140,
  },
  {
    name: 'pg policy document missing',
    world: plant((w) => delete w.aws.policies![KEYCLOAK_POLICY]),
    lines: expected({
      identityKeycloak: [
        HEALTHY.identityKeycloak[0]!,
        '[FAIL] identityKeycloak: policy camunda-keycloak-rds-iam-auth attached to role camunda-keycloak-irsa (IRSA, account 123456789012) cannot be read (NoSuchEntity)',
      ],
    }),
    exitCode: 141,
  },
  {
    name: 'pg role allowing no rds-db:connect at all',
    world: plant((w) => (identityInline(w).Statement[0]!.Action = 's3:GetObject')),
    lines: expected({
      identity: [
        HEALTHY.identity[0]!,
        '[FAIL] identity: no statement in the policies of role camunda-identity-irsa (IRSA, account 123456789012) allows rds-db:connect',
      ],
    }),
    exitCode: 142,
  },
  {
    name: 'os role without policies',
    world: plant((w) => {
      delete role(w, 'camunda-optimize-irsa').attached;
      delegateDomainToAccount(w);
    }),
    lines: expected({
      orchestration: [
        ...HEALTHY.orchestration.slice(0, 2),
        DELEGATED('orchestration', 'camunda-orchestration-irsa'),
      ],
      optimize: [
        HEALTHY.optimize[0]!,
        '[FAIL] optimize: role camunda-optimize-irsa (IRSA, account 123456789012) has no attached or inline policies',
        DELEGATED('optimize', 'camunda-optimize-irsa'),
      ],
    }),
    exitCode: 150,
  },
  {
    name: 'os inline policy unreadable',
    world: plant((w) => {
      role(w, 'camunda-optimize-irsa').inline = [
        { name: 'broken', document: '{"Statement": [{"Effect": "Allow"}]}' },
      ];
    }),
    lines: expected({
      optimize: [
        HEALTHY.optimize[0]!,
        '[FAIL] optimize: inline policy broken of role camunda-optimize-irsa (IRSA, account 123456789012) is not a valid policy document: Statement[0] has neither Action nor NotAction',
      ],
    }),
    exitCode: 151,
  },
  {
    name: 'os role allowing no es:ESHttp*',
    world: plant((w) => {
      role(w, 'camunda-optimize-irsa').attached = [];
      role(w, 'camunda-optimize-irsa').inline = [
        { name: 's3', document: { Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } },
      ];
      delegateDomainToAccount(w);
    }),
    lines: expected({
      orchestration: [
        ...HEALTHY.orchestration.slice(0, 2),
        DELEGATED('orchestration', 'camunda-orchestration-irsa'),
      ],
      optimize: [
        HEALTHY.optimize[0]!,
        '[FAIL] optimize: no statement in the policies of role camunda-optimize-irsa (IRSA, account 123456789012) allows es:ESHttp*',
        DELEGATED('optimize', 'camunda-optimize-irsa'),
      ],
    }),
    exitCode: 152,
  },
];

describeModuleCases('roles', cases, () => {
  it('every FAIL has a fix', async () => {
    for (const c of cases) {
      const run = await runModules(c.world, c.harness);
      for (const f of run.fails('roles')) expect(f.fix, `${c.name}: ${f.message}`).toBeTruthy();
    }
  });

  it('says which evaluator answered (--verbose)', async () => {
    const local = await runModules(healthy);
    expect(local.debug).toContain(
      `role camunda-identity-irsa, rds-db:connect on ${dbUserArn('identity_irsa')}: answered by the local evaluator (IAM policy simulator not available)`,
    );
    const simulated = await runModules(
      plant((w) => {
        w.aws.simulation = [
          { action: 'rds-db:connect', resource: dbUserArn('identity_irsa'), decision: 'allowed' },
        ];
      }),
    );
    expect(simulated.debug).toContain(
      `role camunda-identity-irsa, rds-db:connect on ${dbUserArn('identity_irsa')}: answered by the IAM policy simulator and the local evaluator`,
    );
    expect(simulated.lines('roles')).toEqual(expected({}));
  });

  it('reads the shared OpenSearch policy and the service accounts once', async () => {
    const run = await runModules(healthy);
    expect(
      run.calls.sent.get(`aws.policyDocument(["arn:aws:iam::${ACCT}:policy/camunda-opensearch-access"])`),
    ).toBe(1);
    expect(run.calls.sent.get('kube.serviceAccount(["camunda","camunda-identity"])')).toBe(1);
  });

  it('without this cluster’s OIDC provider it still checks sub and aud against the provider the role trusts', async () => {
    const world = plant((w) => {
      delete w.aws.clusters![0]!.issuer;
    });
    const run = await runModules(world);
    if (run.ctx.facts.oidcProviderArn || run.ctx.facts.issuer) return; // the cluster module found it elsewhere
    expect(run.lines('roles')[0]).toBe(
      `[INFO] identityKeycloak: this cluster's OIDC provider is unknown: the provider role camunda-keycloak-irsa (IRSA, account 123456789012) trusts (${HOST_PATH}) is not compared with it`,
    );
    expect(run.lines('roles')[1]).toBe(
      `[OK] identityKeycloak: role camunda-keycloak-irsa trusts system:serviceaccount:camunda:camunda-keycloak (audience sts.amazonaws.com) from OIDC provider ${HOST_PATH} (statement "CamundaKeycloakIrsa")`,
    );
  });
});

/** The check ID of every WARN and FAIL a case reports (issue 8: one ID per situation, codes unchanged). */
const CHECK_IDS: Array<[string, string[]]> = [
  ['rds-db:* on another cluster', ['FAIL:rds-connect-resource']],
  ['another database user', ['FAIL:rds-connect-resource']],
  ['explicit Deny wins', ['FAIL:rds-connect-resource']],
  [
    'undetermined Allow: rds-db:connect only under a condition irsa-check cannot know is a FAIL naming the statement',
    ['FAIL:rds-connect-resource'],
  ],
  [
    'undetermined Deny: a Deny on a condition irsa-check cannot know is a WARN, never an OK',
    ['WARN:policy-undecided'],
  ],
  [
    'undetermined Allow in the OpenSearch access policy: an IP condition is a FAIL, never an OK',
    ['FAIL:es-http', 'FAIL:es-domain-admits-role', 'FAIL:es-http', 'FAIL:es-domain-admits-role'],
  ],
  [
    'undetermined Deny in the OpenSearch access policy: NotPrincipal naming the role but not its account is a WARN',
    ['WARN:policy-undecided', 'FAIL:es-domain-admits-role'],
  ],
  [
    'undetermined Deny in the trust policy: a Deny on a tag irsa-check cannot know is a WARN, never an OK',
    ['WARN:trust-undecided'],
  ],
  ['another cluster’s OIDC provider', ['FAIL:trust-this-provider']],
  ['this cluster’s issuer, but an OIDC provider ARN of another account', ['FAIL:trust-this-provider']],
  ['a Deny statement of the trust policy refuses the service account', ['FAIL:trust-deny']],
  ['sub and aud admitted, but only by different statements', ['FAIL:trust-sub-with-aud']],
  ['sub admits another service account', ['FAIL:trust-sub']],
  ['StringLike wildcard for another namespace', ['FAIL:trust-sub']],
  ['StringEquals does not expand wildcards', ['FAIL:trust-sub']],
  ['aud condition that does not admit sts.amazonaws.com', ['FAIL:trust-aud']],
  ['audience annotation the trust policy does not admit', ['FAIL:trust-audience-annotation']],
  ['permissions boundary without rds-db:connect', ['FAIL:rds-connect-resource']],
  [
    'a company region guard (Deny outside eu-central-1) applies to the Aurora cluster in eu-west-1',
    ['FAIL:rds-connect-resource'],
  ],
  ['role missing', ['FAIL:role-exists']],
  ['AccessDenied on iam:GetRole for one component', ['FAIL:cannot-ask']],
  [
    'OpenSearch access policy that does not admit the role, whose own policies allow no es:ESHttp*',
    ['FAIL:es-http'],
  ],
  ['OpenSearch access policy denying the role', ['FAIL:es-domain-admits-role']],
  [
    'role policy without es:ESHttpPut/Post/Delete on the domain, whose access policy names only the account',
    ['FAIL:es-http-resource', 'FAIL:es-http-resource'],
  ],
  ['IAM policy simulator disagrees', ['WARN:policy-simulator']],
  ['trust policy without AssumeRoleWithWebIdentity', ['FAIL:trust-action']],
  ['trust policy naming no EKS OIDC provider', ['FAIL:trust-provider']],
  ['pg role without policies', ['FAIL:rds-policies']],
  ['pg policy document missing', ['FAIL:rds-policy-documents']],
  ['pg role allowing no rds-db:connect at all', ['FAIL:rds-connect']],
  ['os role without policies', ['FAIL:es-policies']],
  ['os inline policy unreadable', ['FAIL:es-policy-documents']],
  ['os role allowing no es:ESHttp*', ['FAIL:es-http']],
];

describe('roles check IDs', () => {
  it('names every case with a WARN or FAIL', () => {
    const named = new Set(CHECK_IDS.map(([n]) => n));
    for (const c of cases)
      if (c.exitCode !== 0 || /WARN/.test(c.lines.join())) expect(named, c.name).toContain(c.name);
  });

  it.each(CHECK_IDS)('%s', async (name, ids) => {
    const c = cases.find((x) => x.name === name)!;
    const run = await runModules(c.world, c.harness);
    const reported = run.findings.filter(
      (f) => f.module === 'roles' && (f.level === 'FAIL' || f.level === 'WARN'),
    );
    expect(reported.map((f) => `${f.level}:${f.check}`)).toEqual(ids);
  });
});
