/**
 * The EKS cluster and OIDC module (codes 30–35) over in-memory worlds: the
 * healthy Camunda 8.8 fixture with one thing changed per case.
 */
import { describe, expect, it } from 'vitest';
import { runChecks } from '../support/module-run.js';
import { cloneWorld, loadWorld, runWorld, type WorldModel } from '../support/world.js';
import {
  cluster,
  compareVersions,
  contextHint,
  execHint,
  normalizeEndpoint,
  parseKubernetesVersion,
  regionFromServer,
} from '../../src/checks/cluster.js';
import type { Facts } from '../../src/engine/facts.js';
import type { Finding } from '../../src/core/finding.js';
import type { RunOptions } from '../../src/core/options.js';
import { parseArn } from '../../src/iam/arn.js';

const healthy = loadWorld('camunda-8.8-healthy.yaml');
const ID = '5C9F1A2B3D4E5F60718293A4B5C6D7E8';
const SERVER = `https://${ID}.gr7.eu-west-1.eks.amazonaws.com`;
const ISSUER_PATH = `oidc.eks.eu-west-1.amazonaws.com/id/${ID}`;
const ISSUER = `https://${ISSUER_PATH}`;
const PROVIDER_ARN = `arn:aws:iam::123456789012:oidc-provider/${ISSUER_PATH}`;

const REGION_OK = `[OK] region eu-west-1, from the EKS API server URL ${SERVER}`;
const NAMED_OK =
  "[OK] EKS cluster camunda-prod serves the API server (named by the kubeconfig's aws eks get-token --cluster-name camunda-prod)";
const VERSION_OK = '[OK] Kubernetes 1.31 (1.23 or newer)';
const ISSUER_OK = `[OK] OIDC issuer ${ISSUER}`;
const PROVIDER_OK = `[OK] IAM OIDC provider ${PROVIDER_ARN} trusts the issuer, audience sts.amazonaws.com`;
const HEALTHY_LINES = [REGION_OK, NAMED_OK, VERSION_OK, ISSUER_OK, PROVIDER_OK];

/** A copy of the healthy world with `change` applied. */
function world(change: (w: WorldModel) => void): WorldModel {
  const w = cloneWorld(healthy);
  change(w);
  return w;
}

function clusterOf(w: WorldModel, name = 'camunda-prod') {
  return w.aws.clusters!.find((c) => c.name === name)!;
}

/** Another EKS cluster in the same region, with its own endpoint and issuer. */
function otherCluster(name: string, id: string, region = 'eu-west-1') {
  return {
    name,
    region,
    arn: `arn:aws:eks:${region}:123456789012:cluster/${name}`,
    endpoint: `https://${id}.yl4.${region}.eks.amazonaws.com`,
    version: '1.30',
    status: 'ACTIVE',
    issuer: `https://oidc.eks.${region}.amazonaws.com/id/${id}`,
  };
}

/** Runs only the cluster module, after a preflight that found the world's caller: facts and lines. */
async function runCluster(
  w: WorldModel,
  overrides: Partial<RunOptions> = {},
): Promise<{ facts: Partial<Facts>; findings: Finding[]; lines: string[] }> {
  const caller = w.aws.caller;
  const preflight = caller ? { caller, partition: parseArn(caller.arn)?.partition ?? 'aws' } : {};
  const { ctx, findings } = await runChecks(w, [cluster], { options: overrides, facts: preflight });
  return { facts: ctx.facts, findings, lines: findings.map((f) => `[${f.level}] ${f.message}`) };
}

/** The check IDs of the FAIL and WARN findings, in order (issue 8: a stable ID per check). */
function checksOf(r: { findings: Finding[] }): Array<string | undefined> {
  return r.findings.filter((f) => f.level === 'FAIL' || f.level === 'WARN').map((f) => f.check);
}

describe('cluster: parsing helpers', () => {
  it.each([
    [SERVER, 'eu-west-1'],
    ['https://ABC.sk1.us-gov-west-1.eks.amazonaws.com', 'us-gov-west-1'],
    ['https://abc.yl4.cn-north-1.eks.amazonaws.com.cn', 'cn-north-1'],
    ['https://abc.gr7.ap-southeast-3.eks.amazonaws.com:443/', 'ap-southeast-3'],
    ['https://k8s.example.com', undefined],
    ['https://abc.gr7.eu-west-1.eks.amazonaws.com.evil.example', undefined],
    ['not a url', undefined],
  ])('regionFromServer(%s) = %s', (url, region) => {
    expect(regionFromServer(url)).toBe(region);
  });

  it('normalizes endpoints: case of the host, trailing slash, default port', () => {
    expect(normalizeEndpoint(`${SERVER.toLowerCase()}/`)).toBe(normalizeEndpoint(SERVER));
    expect(normalizeEndpoint(`${SERVER}:443`)).toBe(normalizeEndpoint(SERVER));
    expect(normalizeEndpoint('https://a.example.com:6443')).not.toBe(
      normalizeEndpoint('https://a.example.com'),
    );
  });

  it('compares Kubernetes versions as numbers (the original compared text: 1.9 passed)', () => {
    const v = (s: string) => parseKubernetesVersion(s)!;
    expect(compareVersions(v('1.9'), v('1.23'))).toBeLessThan(0);
    expect(compareVersions(v('1.23'), v('1.30'))).toBeLessThan(0);
    expect(compareVersions(v('v1.28.3-eks-4f4795d'), v('1.23'))).toBeGreaterThan(0);
    expect(compareVersions(v('2.0'), v('1.99'))).toBeGreaterThan(0);
    expect(parseKubernetesVersion('latest')).toBeUndefined();
    expect(parseKubernetesVersion(undefined)).toBeUndefined();
  });

  it('reads the cluster from kubeconfig exec args in every form they are written', () => {
    const aws = (...args: string[]) => execHint({ command: 'aws', args });
    expect(
      aws('--region', 'eu-west-1', 'eks', 'get-token', '--cluster-name', 'a', '--output', 'json'),
    ).toEqual({
      name: 'a',
      nameSource: "the kubeconfig's aws eks get-token --cluster-name a",
      region: 'eu-west-1',
      regionSource: "the kubeconfig's aws eks get-token --region eu-west-1",
    });
    expect(aws('eks', 'get-token', '--cluster-name=a', '--region=us-east-1')).toMatchObject({
      name: 'a',
      region: 'us-east-1',
    });
    expect(aws('eks', 'get-token', '--cluster-id', 'outpost-1')).toEqual({
      name: 'outpost-1',
      nameSource: "the kubeconfig's aws eks get-token --cluster-id outpost-1",
    });
    expect(
      execHint({ command: '/usr/local/bin/aws-iam-authenticator', args: ['token', '-i', 'legacy'] }),
    ).toEqual({ name: 'legacy', nameSource: "the kubeconfig's aws-iam-authenticator token -i legacy" });
    expect(execHint({ command: 'aws-iam-authenticator', args: ['token', '--cluster-id=legacy'] })?.name).toBe(
      'legacy',
    );
    expect(
      execHint({
        command: 'aws',
        args: ['eks', 'get-token', '--cluster-name', 'a'],
        env: { AWS_REGION: 'eu-central-1' },
      }),
    ).toMatchObject({
      region: 'eu-central-1',
      regionSource: "the AWS_REGION of the kubeconfig's aws eks get-token",
    });
    expect(execHint({ command: 'kubelogin', args: ['get-token'] })).toBeUndefined();
    expect(execHint(undefined)).toBeUndefined();
  });

  it('reads the cluster from an EKS context ARN', () => {
    expect(contextHint('arn:aws:eks:eu-west-1:123456789012:cluster/camunda-prod')).toMatchObject({
      name: 'camunda-prod',
      region: 'eu-west-1',
    });
    expect(contextHint('my-context')).toBeUndefined();
    expect(contextHint('arn:aws:iam::123456789012:role/x')).toBeUndefined();
  });
});

describe('cluster: the healthy 8.8 world', () => {
  it('finds the cluster named by the kubeconfig and records region, cluster, issuer and provider', async () => {
    const r = await runCluster(healthy);
    expect(r.lines).toEqual(HEALTHY_LINES);
    expect(r.facts.region).toBe('eu-west-1');
    expect(r.facts.cluster?.name).toBe('camunda-prod');
    expect(r.facts.issuer).toBe(ISSUER);
    expect(r.facts.oidcProviderArn).toBe(PROVIDER_ARN);
  });

  it('prints the same lines through the dispatcher, with no FAIL', async () => {
    const r = await runWorld(healthy);
    expect(r.lines('cluster')).toEqual(HEALTHY_LINES);
    expect(r.fails('cluster')).toEqual([]);
  });

  it('checks the cluster the same way in -A mode', async () => {
    const r = await runCluster(healthy, { allNamespaces: true, namespace: '' });
    expect(r.lines).toEqual(HEALTHY_LINES);
  });
});

describe('cluster: discovery', () => {
  it('matches the endpoint among all clusters of the region when the kubeconfig names none', async () => {
    const w = world((w) => {
      delete w.kube.cluster.exec;
      delete w.kube.cluster.contextName;
      w.aws.clusters!.unshift(otherCluster('staging', 'AAAA1111BBBB2222CCCC3333DDDD4444'));
      w.aws.clusters!.push(otherCluster('zz-last', 'FFFF1111BBBB2222CCCC3333DDDD4444'));
    });
    const r = await runCluster(w);
    expect(r.lines).toEqual([
      REGION_OK,
      '[OK] EKS cluster camunda-prod serves the API server (its endpoint matched among 3 cluster(s) in eu-west-1)',
      VERSION_OK,
      ISSUER_OK,
      PROVIDER_OK,
    ]);
    expect(r.facts.cluster?.name).toBe('camunda-prod');
  });

  it('ignores a trailing slash and the case of the endpoint host', async () => {
    const w = world((w) => {
      delete w.kube.cluster.exec;
      delete w.kube.cluster.contextName;
      clusterOf(w).endpoint = `${SERVER.toLowerCase()}/`;
    });
    const r = await runCluster(w);
    expect(r.lines[1]).toBe(
      '[OK] EKS cluster camunda-prod serves the API server (its endpoint matched among 1 cluster(s) in eu-west-1)',
    );
    expect(r.facts.cluster?.name).toBe('camunda-prod');
  });

  it('uses the kubeconfig context ARN when there are no exec args', async () => {
    const w = world((w) => delete w.kube.cluster.exec);
    const r = await runCluster(w);
    expect(r.lines[1]).toBe(
      '[OK] EKS cluster camunda-prod serves the API server (named by the kubeconfig context arn:aws:eks:eu-west-1:123456789012:cluster/camunda-prod)',
    );
  });

  it.each([
    [
      { command: 'aws', args: ['eks', 'get-token', '--cluster-id', 'camunda-prod'] },
      'aws eks get-token --cluster-id camunda-prod',
    ],
    [
      { command: 'aws-iam-authenticator', args: ['token', '-i', 'camunda-prod'] },
      'aws-iam-authenticator token -i camunda-prod',
    ],
  ])('reads the cluster name from %j', async (exec, how) => {
    const w = world((w) => {
      w.kube.cluster.exec = exec;
      delete w.kube.cluster.contextName;
    });
    const r = await runCluster(w);
    expect(r.lines[1]).toBe(
      `[OK] EKS cluster camunda-prod serves the API server (named by the kubeconfig's ${how})`,
    );
  });

  it('does not trust a kubeconfig name whose endpoint is another API server: matches the endpoint instead', async () => {
    const w = world((w) => {
      w.kube.cluster.exec = { command: 'aws', args: ['eks', 'get-token', '--cluster-name', 'staging'] };
      delete w.kube.cluster.contextName;
      w.aws.clusters!.push(otherCluster('staging', 'AAAA1111BBBB2222CCCC3333DDDD4444'));
    });
    const r = await runCluster(w);
    expect(checksOf(r)).toEqual(['eks-cluster-endpoint']);
    expect(r.lines[1]).toBe(
      '[WARN] EKS cluster camunda-prod serves the API server (its endpoint matched among 2 cluster(s) in eu-west-1; the kubeconfig names staging, whose endpoint differs)',
    );
    expect(r.facts.cluster?.name).toBe('camunda-prod');
  });

  it('says no cluster matches instead of silently using the last cluster listed (original’s mistake)', async () => {
    const w = world((w) => {
      delete w.kube.cluster.exec;
      delete w.kube.cluster.contextName;
      w.aws.clusters = [
        otherCluster('staging', 'AAAA1111BBBB2222CCCC3333DDDD4444'),
        otherCluster('zz-last', 'FFFF1111BBBB2222CCCC3333DDDD4444'),
      ];
    });
    const r = await runCluster(w);
    expect(checksOf(r)).toEqual(['eks-cluster-match']);
    expect(r.lines).toEqual([
      REGION_OK,
      `[FAIL] no EKS cluster in eu-west-1 has the endpoint ${SERVER} (clusters: staging, zz-last): the cluster checks are skipped rather than guessing`,
    ]);
    expect(r.findings[1]).toMatchObject({ code: 32, fix: expect.stringContaining('--cluster-name') });
    expect(r.facts.region).toBe('eu-west-1');
    expect(r.facts.cluster).toBeUndefined();
    expect(r.facts.issuer).toBeUndefined();
    expect(r.facts.oidcProviderArn).toBeUndefined();
  });

  it('exits with 32 through the dispatcher and no later module uses another cluster', async () => {
    const w = world((w) => {
      delete w.kube.cluster.exec;
      delete w.kube.cluster.contextName;
      w.aws.clusters = [otherCluster('zz-last', 'FFFF1111BBBB2222CCCC3333DDDD4444')];
    });
    const r = await runWorld(w);
    expect(r.fails('cluster').map((f) => f.code)).toEqual([32]);
    expect(r.lines().join('\n')).not.toContain('FFFF1111BBBB2222CCCC3333DDDD4444');
    expect(r.exitCode).toBe(32);
  });

  it('names the kubeconfig’s cluster in the FAIL when its endpoint differs and nothing else matches', async () => {
    const w = world((w) => {
      clusterOf(w).endpoint = 'https://0000AAAA.gr7.eu-west-1.eks.amazonaws.com';
    });
    const r = await runCluster(w);
    expect(checksOf(r)).toEqual(['eks-cluster-match']);
    expect(r.lines[1]).toBe(
      `[FAIL] no EKS cluster in eu-west-1 has the endpoint ${SERVER} (clusters: camunda-prod); the kubeconfig names camunda-prod, whose endpoint is https://0000AAAA.gr7.eu-west-1.eks.amazonaws.com: the cluster checks are skipped rather than guessing`,
    );
  });

  it('fails 31 when the region has no EKS clusters', async () => {
    const w = world((w) => (w.aws.clusters = [otherCluster('elsewhere', 'AAAA', 'us-east-1')]));
    const r = await runCluster(w);
    expect(checksOf(r)).toEqual(['eks-clusters']);
    expect(r.lines).toEqual([REGION_OK, '[FAIL] no EKS clusters in region eu-west-1 (account 123456789012)']);
    expect(r.findings[1]?.code).toBe(31);
  });

  it('uses --cluster-name when it exists, even when its endpoint is not the API server (with a WARN)', async () => {
    const w = world((w) => w.aws.clusters!.push(otherCluster('staging', 'AAAA1111BBBB2222CCCC3333DDDD4444')));
    const r = await runCluster(w, { clusterName: 'staging' });
    expect(checksOf(r)).toEqual(['eks-cluster-endpoint', 'oidc-provider']);
    expect(r.lines.slice(0, 3)).toEqual([
      REGION_OK,
      `[WARN] EKS cluster staging (--cluster-name) has the endpoint https://AAAA1111BBBB2222CCCC3333DDDD4444.yl4.eu-west-1.eks.amazonaws.com, not the API server irsa-check talks to (${SERVER}): the checks below are about staging`,
      '[OK] Kubernetes 1.30 (1.23 or newer)',
    ]);
    expect(r.facts.cluster?.name).toBe('staging');
  });

  it('accepts --cluster-name silently when it serves the API server', async () => {
    const r = await runCluster(healthy, { clusterName: 'camunda-prod' });
    expect(r.lines[1]).toBe(`[OK] EKS cluster camunda-prod (--cluster-name) serves the API server ${SERVER}`);
  });

  it('fails 32 when --cluster-name does not exist', async () => {
    const r = await runCluster(healthy, { clusterName: 'typo' });
    expect(checksOf(r)).toEqual(['eks-cluster-match']);
    expect(r.lines).toEqual([
      REGION_OK,
      '[FAIL] EKS cluster "typo" (--cluster-name) does not exist in eu-west-1',
    ]);
    expect(r.findings[1]).toMatchObject({
      code: 32,
      fix: 'List the clusters with `aws eks list-clusters --region eu-west-1` and pass the right name and --region.',
    });
    expect(r.facts.cluster).toBeUndefined();
  });
});

describe('cluster: region (30)', () => {
  it('prefers the region in the EKS API server URL over --region / AWS_REGION, and says so', async () => {
    const r = await runCluster(healthy, { region: 'us-east-1' });
    expect(r.lines.slice(0, 3)).toEqual([
      REGION_OK,
      '[INFO] --region / AWS_REGION says us-east-1, but the API server is in eu-west-1: using eu-west-1',
      NAMED_OK,
    ]);
  });

  it('takes the region from the kubeconfig when the API server URL is not an EKS endpoint', async () => {
    const w = world((w) => (w.kube.cluster.server = 'https://k8s.camunda.example.com'));
    const r = await runCluster(w);
    expect(r.lines.slice(0, 2)).toEqual([
      "[OK] region eu-west-1, from the kubeconfig's aws eks get-token --region eu-west-1",
      "[OK] EKS cluster camunda-prod, named by the kubeconfig's aws eks get-token --cluster-name camunda-prod (the API server URL https://k8s.camunda.example.com is not an EKS endpoint, so it cannot be matched)",
    ]);
    expect(r.facts.cluster?.name).toBe('camunda-prod');
  });

  it('takes --region when nothing else names one', async () => {
    const w = world((w) => {
      w.kube.cluster.server = 'https://k8s.camunda.example.com';
      delete w.kube.cluster.exec;
      delete w.kube.cluster.contextName;
    });
    const r = await runCluster(w, { region: 'eu-west-1' });
    expect(checksOf(r)).toEqual(['eks-cluster-match']);
    expect(r.lines).toEqual([
      '[OK] region eu-west-1, from --region / AWS_REGION',
      '[FAIL] no EKS cluster in eu-west-1 has the endpoint https://k8s.camunda.example.com (clusters: camunda-prod): the cluster checks are skipped rather than guessing',
    ]);
  });

  it('fails 30 when no region can be found', async () => {
    const w = world((w) => {
      w.kube.cluster.server = 'https://k8s.camunda.example.com';
      delete w.kube.cluster.exec;
      delete w.kube.cluster.contextName;
    });
    const r = await runCluster(w);
    expect(checksOf(r)).toEqual(['eks-region']);
    expect(r.lines).toEqual([
      "[FAIL] cannot tell the cluster's AWS region: the API server URL https://k8s.camunda.example.com is not an EKS endpoint and neither the kubeconfig nor --region names one",
    ]);
    expect(r.findings[0]).toMatchObject({
      code: 30,
      fix: 'Pass the region of the EKS cluster with --region (and its name with --cluster-name).',
    });
    expect(r.facts.region).toBeUndefined();
  });

  it('fails 30 when the kubeconfig names no API server', async () => {
    const w = world((w) => (w.kube.cluster.server = ''));
    const r = await runCluster(w);
    expect(checksOf(r)).toEqual(['eks-api-server']);
    expect(r.lines).toEqual(['[FAIL] the kubeconfig context names no API server URL']);
    expect(r.findings[0]?.code).toBe(30);
  });
});

describe('cluster: version (34) and issuer (33)', () => {
  it.each([
    ['1.9', '[FAIL] EKS cluster camunda-prod runs Kubernetes 1.9, older than 1.23'],
    ['1.22', '[FAIL] EKS cluster camunda-prod runs Kubernetes 1.22, older than 1.23'],
    ['1.23', '[OK] Kubernetes 1.23 (1.23 or newer)'],
    ['1.30', '[OK] Kubernetes 1.30 (1.23 or newer)'],
  ])('Kubernetes %s', async (version, line) => {
    const r = await runCluster(world((w) => (clusterOf(w).version = version)));
    expect(r.lines[2]).toBe(line);
    if (line.startsWith('[FAIL]')) {
      expect(r.findings[2]).toMatchObject({
        check: 'eks-version',
        code: 34,
        fix: 'Upgrade the cluster one minor version at a time (`aws eks update-cluster-version --name camunda-prod --region eu-west-1 --kubernetes-version <next>`).',
      });
    }
    // An old cluster is still checked further: the version does not hide other problems.
    expect(r.lines.at(-1)).toBe(PROVIDER_OK);
  });

  it('exits with 34 through the dispatcher for Kubernetes 1.9', async () => {
    const r = await runWorld(world((w) => (clusterOf(w).version = '1.9')));
    expect(r.fails('cluster').map((f) => f.code)).toEqual([34]);
    expect(r.stderr).toContain('[FAIL] EKS cluster camunda-prod runs Kubernetes 1.9, older than 1.23\n');
    expect(r.exitCode).toBe(34);
  });

  it('warns on an unreadable version and a cluster that is not ACTIVE', async () => {
    const r = await runCluster(
      world((w) => {
        clusterOf(w).version = 'latest';
        clusterOf(w).status = 'UPDATING';
      }),
    );
    expect(checksOf(r)).toEqual(['eks-cluster-status', 'eks-version-unknown']);
    expect(r.lines.slice(2, 4)).toEqual([
      '[WARN] EKS cluster camunda-prod is UPDATING, not ACTIVE',
      '[WARN] cannot read the Kubernetes version "latest" of EKS cluster camunda-prod',
    ]);
  });

  it('fails 33 when the cluster has no OIDC issuer, and skips the provider check', async () => {
    const r = await runCluster(world((w) => delete clusterOf(w).issuer));
    expect(checksOf(r)).toEqual(['oidc-issuer']);
    expect(r.lines).toEqual([
      REGION_OK,
      NAMED_OK,
      VERSION_OK,
      '[FAIL] EKS cluster camunda-prod reports no OIDC issuer',
    ]);
    expect(r.findings[3]?.code).toBe(33);
    expect(r.facts.cluster?.name).toBe('camunda-prod');
    expect(r.facts.issuer).toBeUndefined();
  });
});

describe('cluster: IAM OIDC provider (35)', () => {
  it('fails when the only provider with the issuer’s ID is another region’s (original matched the last path segment)', async () => {
    const other = `oidc.eks.us-east-1.amazonaws.com/id/${ID}`;
    const w = world((w) => {
      w.aws.oidcProviders = [
        {
          arn: `arn:aws:iam::123456789012:oidc-provider/${other}`,
          url: other,
          clientIds: ['sts.amazonaws.com'],
        },
      ];
    });
    const r = await runCluster(w);
    expect(checksOf(r)).toEqual(['oidc-provider']);
    expect(r.lines.at(-1)).toBe(
      `[FAIL] no IAM OIDC provider for the issuer ${ISSUER_PATH} in account 123456789012: pods cannot assume IAM roles with their ServiceAccount tokens (IRSA); arn:aws:iam::123456789012:oidc-provider/${other} has the same ID but is for ${other}, not this cluster`,
    );
    expect(r.findings.at(-1)).toMatchObject({
      code: 35,
      fix: `Create it: \`eksctl utils associate-iam-oidc-provider --cluster camunda-prod --region eu-west-1 --approve\` (or \`aws iam create-open-id-connect-provider --url ${ISSUER} --client-id-list sts.amazonaws.com\`); trust policies name it as ${PROVIDER_ARN}.`,
    });
    expect(r.facts.oidcProviderArn).toBeUndefined();
    expect(r.facts.issuer).toBe(ISSUER);
  });

  it('fails when there is no provider at all, exit code 35', async () => {
    const w = world((w) => (w.aws.oidcProviders = []));
    const r = await runCluster(w);
    expect(checksOf(r)).toEqual(['oidc-provider']);
    expect(r.lines.at(-1)).toBe(
      `[FAIL] no IAM OIDC provider for the issuer ${ISSUER_PATH} in account 123456789012: pods cannot assume IAM roles with their ServiceAccount tokens (IRSA)`,
    );
    const run = await runWorld(w);
    expect(run.fails('cluster').map((f) => f.code)).toEqual([35]);
    expect(run.exitCode).toBe(35);
  });

  it('matches the provider host case-insensitively, but not a different path', async () => {
    const upperHost = world(
      (w) => (w.aws.oidcProviders![0]!.url = `OIDC.EKS.EU-WEST-1.AMAZONAWS.COM/id/${ID}`),
    );
    expect((await runCluster(upperHost)).facts.oidcProviderArn).toBe(PROVIDER_ARN);
    const lowerPath = world((w) => (w.aws.oidcProviders![0]!.url = ISSUER_PATH.toLowerCase()));
    const r = await runCluster(lowerPath);
    expect(r.findings.at(-1)?.code).toBe(35);
    expect(r.facts.oidcProviderArn).toBeUndefined();
  });

  it('fails when the provider has no client IDs', async () => {
    const r = await runCluster(world((w) => (w.aws.oidcProviders![0]!.clientIds = [])));
    expect(checksOf(r)).toEqual(['oidc-provider-audience']);
    expect(r.lines.at(-1)).toBe(
      `[FAIL] IAM OIDC provider ${PROVIDER_ARN} has no client IDs (audiences): STS rejects every ServiceAccount token`,
    );
    expect(r.findings.at(-1)).toMatchObject({
      code: 35,
      fix: `Add the audience: \`aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${PROVIDER_ARN} --client-id sts.amazonaws.com\`.`,
    });
    expect(r.facts.oidcProviderArn).toBe(PROVIDER_ARN);
  });

  it('warns when the provider lists other audiences but not sts.amazonaws.com', async () => {
    const r = await runCluster(world((w) => (w.aws.oidcProviders![0]!.clientIds = ['camunda'])));
    expect(checksOf(r)).toEqual(['oidc-default-audience']);
    expect(r.lines.at(-1)).toBe(
      `[WARN] IAM OIDC provider ${PROVIDER_ARN} does not list the audience sts.amazonaws.com (only: camunda): only ServiceAccounts annotated eks.amazonaws.com/audience with one of these can assume roles`,
    );
    expect(r.findings.some((f) => f.level === 'FAIL')).toBe(false);
  });

  it('names the provider in the partition of the caller (aws-cn)', async () => {
    const cnId = 'ABCDEF0123456789ABCDEF0123456789';
    const w = world((w) => {
      w.kube.cluster.server = `https://${cnId}.yl4.cn-north-1.eks.amazonaws.com.cn`;
      w.kube.cluster.exec = { command: 'aws', args: ['eks', 'get-token', '--cluster-name', 'camunda-cn'] };
      delete w.kube.cluster.contextName;
      w.aws.caller = {
        arn: 'arn:aws-cn:sts::210987654321:assumed-role/Admin/ops',
        account: '210987654321',
        userId: 'AROA:ops',
      };
      w.aws.clusters = [
        {
          name: 'camunda-cn',
          region: 'cn-north-1',
          arn: 'arn:aws-cn:eks:cn-north-1:210987654321:cluster/camunda-cn',
          endpoint: `https://${cnId}.yl4.cn-north-1.eks.amazonaws.com.cn`,
          version: '1.31',
          status: 'ACTIVE',
          issuer: `https://oidc.eks.cn-north-1.amazonaws.com.cn/id/${cnId}`,
        },
      ];
      w.aws.oidcProviders = [];
      // The roles in the caller's account (a role elsewhere would need the provider there instead).
      for (const sa of w.kube.serviceAccounts!)
        for (const [k, v] of Object.entries(sa.annotations))
          sa.annotations[k] = v.replace('arn:aws:iam::123456789012:', 'arn:aws-cn:iam::210987654321:');
    });
    const r = await runCluster(w);
    expect(checksOf(r)).toEqual(['oidc-provider']);
    expect(r.lines[0]).toBe(
      `[OK] region cn-north-1, from the EKS API server URL https://${cnId}.yl4.cn-north-1.eks.amazonaws.com.cn`,
    );
    expect(r.findings.at(-1)?.fix).toContain(
      `trust policies name it as arn:aws-cn:iam::210987654321:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/${cnId}.`,
    );
  });
});

describe('cluster: when AWS does not answer', () => {
  const denied = (operation: string) => ({
    api: 'aws',
    operation,
    reason: 'AccessDenied',
    message: `not authorized to perform: ${operation}`,
    status: 403,
  });

  it('says which permission is missing when eks:ListClusters is denied', async () => {
    const w = world((w) => {
      delete w.kube.cluster.exec;
      delete w.kube.cluster.contextName;
      w.aws.errors = { listEksClusters: denied('eks:ListClusters') };
    });
    const r = await runCluster(w);
    expect(r.lines).toEqual([
      REGION_OK,
      '[FAIL] irsa-check cannot call eks:ListClusters (AccessDenied): grant it, see README "Permissions"',
    ]);
    expect(r.findings[1]?.code).toBe(2);
    expect(r.facts.cluster).toBeUndefined();
  });

  it('keeps the cluster facts when only the OIDC provider list is denied', async () => {
    const w = world((w) => (w.aws.errors = { oidcProviders: denied('iam:ListOpenIDConnectProviders') }));
    const r = await runCluster(w);
    expect(r.lines).toEqual([
      REGION_OK,
      NAMED_OK,
      VERSION_OK,
      ISSUER_OK,
      '[FAIL] irsa-check cannot call iam:ListOpenIDConnectProviders (AccessDenied): grant it, see README "Permissions"',
    ]);
    expect(r.facts.issuer).toBe(ISSUER);
    expect(r.facts.oidcProviderArn).toBeUndefined();
  });

  it('does not run when preflight found no AWS identity (the run stops with exit 1)', async () => {
    const w = world((w) => delete w.aws.caller);
    const r = await runWorld(w);
    expect(r.lines('cluster')).toEqual([]);
    expect(r.exitCode).toBe(1);
    const direct = await runCluster(w);
    expect(direct.lines).toEqual(['[INFO] skipped: no AWS identity to ask EKS and IAM with']);
  });
});
