/**
 * EKS cluster and OIDC (codes 30–35): which EKS cluster serves the API server
 * irsa-check talks to, its Kubernetes version and OIDC issuer, and the IAM OIDC
 * provider that lets its ServiceAccount tokens assume roles.
 *
 * Provides the facts region (as soon as it is chosen, so the Aurora and OpenSearch
 * modules can start), cluster, issuer and oidcProviderArn. When no cluster matches,
 * it says so and provides no cluster: later modules never fall back to some other
 * cluster (the original script used the last one listed).
 *
 * Region: an EKS API server URL (`https://<id>.<zone>.<region>.eks.amazonaws.com`)
 * names the cluster's region as a fact, so it wins over `--region`/AWS_REGION
 * (often a shell-wide default for other work); the kubeconfig's
 * `aws eks get-token --region` comes next, `--region`/AWS_REGION last.
 * Cluster: `--cluster-name`; else the name in the kubeconfig user's exec args
 * (`aws eks get-token --cluster-name|--cluster-id`, `aws-iam-authenticator token -i`)
 * or in an EKS context ARN, accepted when its endpoint is the API server; else
 * the cluster in the region whose endpoint is the API server URL.
 *
 * The collector (src/collectors/cluster.ts) gathers and publishes the data facts as it finds
 * them; this evaluator judges the snapshot.
 */
import { defineModule } from '../engine/module.js';
import { DEFAULT_AUDIENCE } from '../iam/policy.js';
import type { Reporter } from '../core/reporter.js';
import type { EksCluster, OidcProvider } from '../ports/aws.js';
import { issuerHostPath, oidcProviderArn, partitionOf } from '../iam/arn.js';
import { cannotCheckFrom } from '../platform/accounts.js';
import {
  collectCluster,
  providerKey,
  type DiscoveryOutcome,
  type Elsewhere,
  type FoundCluster,
  type RegionChoice,
} from '../collectors/cluster.js';

// The kubeconfig parsing lives with the collector that reads the kubeconfig; re-exported for callers.
export {
  contextHint,
  execHint,
  normalizeEndpoint,
  regionFromServer,
  type ClusterHint,
} from '../collectors/cluster.js';

/** The minimum Kubernetes version of the original script's check. */
export const MIN_KUBERNETES = { major: 1, minor: 23 } as const;

const CHECKS = {
  'eks-api-server': {
    severity: 'FAIL',
    code: 30,
    title: 'the kubeconfig context names no API server URL',
    fix: 'Check the kubeconfig context (--context); pass --region (and --cluster-name) when the API server URL is not an EKS endpoint.',
  },
  'eks-region': {
    severity: 'FAIL',
    code: 30,
    title: 'the cluster’s AWS region is unknown',
    fix: 'Check the kubeconfig context (--context); pass --region (and --cluster-name) when the API server URL is not an EKS endpoint.',
  },
  'eks-clusters': {
    severity: 'FAIL',
    code: 31,
    title: 'no EKS clusters in the region',
    fix: 'Check --region and that the AWS credentials belong to the account that owns the cluster.',
  },
  'eks-cluster-match': {
    severity: 'FAIL',
    code: 32,
    title: 'no EKS cluster serves the API server (or --cluster-name does not exist)',
    fix: 'Use the kubeconfig context of the Camunda cluster, or name it with --cluster-name and --region.',
  },
  'eks-cluster-endpoint': {
    severity: 'WARN',
    title:
      'the EKS cluster named by --cluster-name or the kubeconfig is not the one whose endpoint is the API server',
    fix: 'Use the kubeconfig context of the Camunda cluster, or name it with --cluster-name and --region.',
  },
  'eks-cluster-status': {
    severity: 'WARN',
    title: 'the EKS cluster is not ACTIVE',
    fix: 'Wait until `aws eks describe-cluster` reports the cluster ACTIVE, then run irsa-check again.',
  },
  'eks-version': {
    severity: 'FAIL',
    code: 34,
    title: `Kubernetes older than ${MIN_KUBERNETES.major}.${MIN_KUBERNETES.minor}`,
    fix: 'Upgrade the cluster (`aws eks update-cluster-version`), one minor version at a time.',
  },
  'eks-version-unknown': {
    severity: 'WARN',
    title: 'the Kubernetes version of the EKS cluster cannot be read',
    fix: 'Check `aws eks describe-cluster --query cluster.version`.',
  },
  'oidc-issuer': {
    severity: 'FAIL',
    code: 33,
    title: 'the EKS cluster has no OIDC issuer',
    fix: 'Check `aws eks describe-cluster --query cluster.identity.oidc.issuer`; IRSA needs the cluster’s OIDC issuer.',
  },
  'oidc-provider': {
    severity: 'FAIL',
    code: 35,
    title: 'no IAM OIDC provider for the cluster’s issuer',
    fix: 'Create the provider: `eksctl utils associate-iam-oidc-provider --cluster <name> --approve`.',
  },
  'oidc-provider-audience': {
    severity: 'FAIL',
    code: 35,
    title: 'the IAM OIDC provider has no client IDs (audiences)',
    fix: 'Add the audience: `aws iam add-client-id-to-open-id-connect-provider --client-id sts.amazonaws.com`.',
  },
  'oidc-default-audience': {
    severity: 'WARN',
    title: 'the IAM OIDC provider does not list the sts.amazonaws.com audience',
    fix: 'Add the default audience: `aws iam add-client-id-to-open-id-connect-provider --client-id sts.amazonaws.com`.',
  },
} as const;
type Id = keyof typeof CHECKS;

export interface KubernetesVersion {
  major: number;
  minor: number;
}

/** `1.31`, `v1.9`, `1.28.3-eks-…` → {major, minor}; undefined when it is not a version. */
export function parseKubernetesVersion(version: string | undefined): KubernetesVersion | undefined {
  const m = /^v?(\d+)\.(\d+)(?:[.+-].*)?$/.exec(version?.trim() ?? '');
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

/** Numeric comparison: 1.9 < 1.23 < 1.30 (the original compared them as text and never failed). */
export function compareVersions(a: KubernetesVersion, b: KubernetesVersion): number {
  return a.major !== b.major ? a.major - b.major : a.minor - b.minor;
}

function lastSegment(url: string): string {
  return issuerHostPath(url).split('/').pop() ?? '';
}

// ------------------------------------------------------------------ discovery

/** Says which region was chosen and from where; false (with FAIL 30) when there is none. */
function reportRegion(
  out: Reporter<Id>,
  choice: RegionChoice,
): choice is Exclude<RegionChoice, { from: 'none' }> {
  switch (choice.from) {
    case 'url':
      out.ok('eks-region', `region ${choice.region}, from the EKS API server URL ${choice.server}`);
      if (choice.optionRegion && choice.optionRegion !== choice.region) {
        out.info(
          `--region / AWS_REGION says ${choice.optionRegion}, but the API server is in ${choice.region}: using ${choice.region}`,
        );
      }
      return true;
    case 'hint':
      out.ok('eks-region', `region ${choice.region}, from ${choice.source}`);
      return true;
    case 'option':
      out.ok('eks-region', `region ${choice.region}, from --region / AWS_REGION`);
      return true;
    case 'none':
      out.fail(
        'eks-region',
        `cannot tell the cluster's AWS region: the API server URL ${choice.server} is not an EKS endpoint and neither the kubeconfig nor --region names one`,
        { fix: 'Pass the region of the EKS cluster with --region (and its name with --cluster-name).' },
      );
      return false;
  }
}

/** How the cluster serving the API server was found (or not). */
function reportDiscovery(
  out: Reporter<Id>,
  outcome: DiscoveryOutcome,
  server: string,
  region: string,
  account: string,
): void {
  switch (outcome.by) {
    case 'error':
      out.unexpected(outcome.error);
      return;
    case 'explicit-missing':
      out.fail(
        'eks-cluster-match',
        `EKS cluster "${outcome.name}" (--cluster-name) does not exist in ${region}`,
        {
          fix: `List the clusters with \`aws eks list-clusters --region ${region}\` and pass the right name and --region.`,
        },
      );
      return;
    case 'explicit': {
      const c = outcome.cluster;
      if (outcome.serves)
        out.ok('eks-cluster-match', `EKS cluster ${c.name} (--cluster-name) serves the API server ${server}`);
      else {
        out.warn(
          'eks-cluster-endpoint',
          `EKS cluster ${c.name} (--cluster-name) has the endpoint ${c.endpoint ?? 'none'}, not the API server irsa-check talks to (${server}): the checks below are about ${c.name}`,
        );
      }
      return;
    }
    case 'hint': {
      const c = outcome.cluster;
      if (outcome.serves)
        out.ok(
          'eks-cluster-match',
          `EKS cluster ${c.name} serves the API server (named by ${outcome.nameSource})`,
        );
      else
        out.ok(
          'eks-cluster-match',
          `EKS cluster ${c.name}, named by ${outcome.nameSource} (the API server URL ${server} is not an EKS endpoint, so it cannot be matched)`,
        );
      return;
    }
    case 'no-clusters':
      out.fail(
        'eks-clusters',
        `no EKS clusters in region ${region}${account ? ` (account ${account})` : ''}`,
        {
          fix: `Check the region (--region) and that irsa-check runs with credentials of the account that owns the cluster (\`aws eks list-clusters --region ${region}\`).`,
        },
      );
      return;
    case 'endpoint': {
      const { cluster: match, names, mismatched } = outcome;
      const kubeconfigNamed =
        mismatched.length > 0
          ? `; the kubeconfig names ${mismatched.map((m) => m.name).join(', ')}, whose endpoint differs`
          : '';
      const line = `EKS cluster ${match.name} serves the API server (its endpoint matched among ${names.length} cluster(s) in ${region}${kubeconfigNamed})`;
      if (mismatched.length > 0) out.warn('eks-cluster-endpoint', line);
      else out.ok('eks-cluster-match', line);
      return;
    }
    case 'none': {
      const also = outcome.mismatched
        .map((m) => `; the kubeconfig names ${m.name}, whose endpoint is ${m.endpoint ?? 'unknown'}`)
        .join('');
      out.fail(
        'eks-cluster-match',
        `no EKS cluster in ${region} has the endpoint ${server} (clusters: ${outcome.names.join(', ')})${also}: the cluster checks are skipped rather than guessing`,
        {
          fix: 'Run irsa-check with the kubeconfig context of the EKS cluster that hosts Camunda (--context), or name it with --cluster-name and --region.',
        },
      );
      return;
    }
  }
}

// ------------------------------------------------------------------ checks on the cluster

function checkStatusAndVersion(out: Reporter<Id>, c: EksCluster, region: string): void {
  if (c.status && c.status !== 'ACTIVE')
    out.warn('eks-cluster-status', `EKS cluster ${c.name} is ${c.status}, not ACTIVE`);
  const min = `${MIN_KUBERNETES.major}.${MIN_KUBERNETES.minor}`;
  const v = parseKubernetesVersion(c.version);
  if (!v) {
    out.warn(
      'eks-version-unknown',
      `cannot read the Kubernetes version "${c.version ?? ''}" of EKS cluster ${c.name}`,
    );
    return;
  }
  if (compareVersions(v, MIN_KUBERNETES) < 0) {
    out.fail('eks-version', `EKS cluster ${c.name} runs Kubernetes ${c.version}, older than ${min}`, {
      fix: `Upgrade the cluster one minor version at a time (\`aws eks update-cluster-version --name ${c.name} --region ${region} --kubernetes-version <next>\`).`,
    });
    return;
  }
  out.ok('eks-version', `Kubernetes ${c.version} (${min} or newer)`);
}

/** The caller's account has no provider: the roles' accounts, each read with --assume-role/--profile-for or not at all. */
function checkProviderElsewhere(
  out: Reporter<Id>,
  found: FoundCluster,
  caller: string,
  partition: string,
  elsewhere: Elsewhere,
): void {
  const issuer = found.cluster.issuer!;
  const hostPath = issuerHostPath(issuer);
  if ('podIdentityOnly' in elsewhere) {
    out.info(
      `no IAM OIDC provider for the issuer ${hostPath} in account ${caller}: none is needed, no pod in namespace ${found.namespace} uses IRSA (EKS Pod Identity: service account(s) ${elsewhere.podIdentityOnly.join(', ')})`,
    );
    return;
  }
  for (const { account, names, providers: answer } of elsewhere.accounts) {
    const roles = `IRSA role${names.length > 1 ? 's' : ''} ${names.join(', ')}`;
    if (!answer) {
      out.info(
        cannotCheckFrom(
          caller,
          account,
          `account ${caller} has no IAM OIDC provider for the issuer ${hostPath}, and the ${roles} ${names.length > 1 ? 'are' : 'is'} in account ${account}, where STS needs it`,
          partition,
        ),
      );
      continue;
    }
    if (!('value' in answer)) {
      out.unexpected(answer.error);
      continue;
    }
    const provider = answer.value.find((p) => providerKey(p.url) === providerKey(issuer));
    if (!provider) {
      out.fail(
        'oidc-provider',
        `no IAM OIDC provider for the issuer ${hostPath} in account ${account}, where the ${roles} ${names.length > 1 ? 'are' : 'is'}: STS refuses the ServiceAccount tokens for ${names.length > 1 ? 'them' : 'it'}`,
        {
          fix: `With credentials of account ${account}: \`aws iam create-open-id-connect-provider --url ${issuer} --client-id-list ${DEFAULT_AUDIENCE}\`; trust policies name it as ${oidcProviderArn(partition, account, issuer)}.`,
        },
      );
      continue;
    }
    if (!provider.clientIds.includes(DEFAULT_AUDIENCE)) {
      out.fail(
        'oidc-provider-audience',
        `IAM OIDC provider ${provider.arn} (account ${account}, of the ${roles}) does not list the audience ${DEFAULT_AUDIENCE} (client IDs: ${provider.clientIds.join(', ') || 'none'})`,
        {
          fix: `With credentials of account ${account}: \`aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${provider.arn} --client-id ${DEFAULT_AUDIENCE}\`.`,
        },
      );
      continue;
    }
    out.ok(
      'oidc-provider',
      `IAM OIDC provider ${provider.arn} trusts the issuer, audience ${DEFAULT_AUDIENCE} (account ${account}, where the ${roles} ${names.length > 1 ? 'are' : 'is'}; account ${caller} has none)`,
    );
  }
}

function checkProvider(out: Reporter<Id>, found: FoundCluster, providers: OidcProvider[]): void {
  const { cluster: c, region } = found;
  const issuer = c.issuer!;
  const wanted = providerKey(issuer);
  const provider = providers.find((p) => providerKey(p.url) === wanted);
  const partition = found.partition ?? partitionOf(region);
  const account = found.account;
  if (!provider) {
    if (found.elsewhere) {
      checkProviderElsewhere(out, found, account, partition, found.elsewhere);
      return;
    }
    const sameId = providers.filter((p) => lastSegment(p.url) === lastSegment(issuer));
    const nearMiss = sameId
      .map((p) => `; ${p.arn} has the same ID but is for ${p.url}, not this cluster`)
      .join('');
    out.fail(
      'oidc-provider',
      `no IAM OIDC provider for the issuer ${issuerHostPath(issuer)} in account ${account}: pods cannot assume IAM roles with their ServiceAccount tokens (IRSA)${nearMiss}`,
      {
        fix:
          `Create it: \`eksctl utils associate-iam-oidc-provider --cluster ${c.name} --region ${region} --approve\` ` +
          `(or \`aws iam create-open-id-connect-provider --url ${issuer} --client-id-list ${DEFAULT_AUDIENCE}\`); ` +
          `trust policies name it as ${oidcProviderArn(partition, account, issuer)}.`,
      },
    );
    return;
  }
  if (provider.clientIds.includes(DEFAULT_AUDIENCE)) {
    out.ok(
      'oidc-provider',
      `IAM OIDC provider ${provider.arn} trusts the issuer, audience ${DEFAULT_AUDIENCE}`,
    );
    return;
  }
  const addAudience = `aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${provider.arn} --client-id ${DEFAULT_AUDIENCE}`;
  if (provider.clientIds.length === 0) {
    out.fail(
      'oidc-provider-audience',
      `IAM OIDC provider ${provider.arn} has no client IDs (audiences): STS rejects every ServiceAccount token`,
      { fix: `Add the audience: \`${addAudience}\`.` },
    );
    return;
  }
  // Another audience still works for ServiceAccounts annotated eks.amazonaws.com/audience with it.
  out.warn(
    'oidc-default-audience',
    `IAM OIDC provider ${provider.arn} does not list the audience ${DEFAULT_AUDIENCE} (only: ${provider.clientIds.join(', ')}): only ServiceAccounts annotated eks.amazonaws.com/audience with one of these can assume roles`,
    { fix: `Add the default audience: \`${addAudience}\`.` },
  );
}

/** The found cluster's status, version, OIDC issuer and the IAM OIDC provider for it. */
function checkIssuerAndProvider(out: Reporter<Id>, found: FoundCluster): void {
  const { cluster: c, region } = found;
  checkStatusAndVersion(out, c, region);
  if (!c.issuer) {
    out.fail('oidc-issuer', `EKS cluster ${c.name} reports no OIDC issuer`, {
      fix: `Check \`aws eks describe-cluster --name ${c.name} --region ${region} --query cluster.identity.oidc.issuer\`; without an issuer the cluster cannot use IRSA.`,
    });
    return;
  }
  out.ok('oidc-issuer', `OIDC issuer ${c.issuer}`);
  if (!found.providers) return;
  if (!('value' in found.providers)) {
    out.unexpected(found.providers.error);
    return;
  }
  checkProvider(out, found, found.providers.value);
}

export const cluster = defineModule({
  id: 'cluster',
  title: 'EKS cluster and OIDC provider',
  needs: [],
  uses: ['caller', 'partition', 'platform', 'kubernetes'],
  provides: ['region', 'cluster', 'issuer', 'oidcProviderArn'],
  checks: CHECKS,
  collect: collectCluster,
  evaluate(input, out, facts) {
    switch (input.kind) {
      // Values-only mode without a cluster: the cluster named with --cluster-name, if any, is
      // looked up by name and checked as in a live run (so a role trusting another cluster's
      // provider fails).
      case 'no-cluster':
        out.info(
          input.caller
            ? 'skipped: needs the Kubernetes cluster, or --cluster-name (and --region) to look the EKS cluster up'
            : 'skipped: needs the Kubernetes cluster',
        );
        return;
      case 'named-no-region':
        out.fail(
          'eks-region',
          `cannot tell the AWS region of EKS cluster ${input.name} (--cluster-name): there is no cluster to read it from`,
          {
            fix: 'Pass the region of the EKS cluster with --region (or set AWS_REGION).',
          },
        );
        return;
      case 'named':
        if (!input.found) {
          out.fail(
            'eks-cluster-match',
            `EKS cluster "${input.name}" (--cluster-name) does not exist in ${input.region}`,
            {
              fix: `List the clusters with \`aws eks list-clusters --region ${input.region}\` and pass the right name and --region.`,
            },
          );
          return;
        }
        out.ok(
          'eks-cluster-match',
          `EKS cluster ${input.found.cluster.name} (--cluster-name) exists in ${input.region}`,
        );
        checkIssuerAndProvider(out, input.found);
        return;
      case 'no-caller':
        out.info('skipped: no AWS identity to ask EKS and IAM with');
        return;
      case 'self-managed':
        // Modules that need the EKS cluster (Pod Identity, private endpoints) do not apply: silent.
        facts.notApplicable('cluster');
        out.info('skipped: self-managed cluster, no EKS cluster to look up (see issuer-chain)');
        return;
      case 'no-server':
        out.fail('eks-api-server', 'the kubeconfig context names no API server URL');
        return;
      case 'live': {
        if (!reportRegion(out, input.region) || !input.outcome) return;
        reportDiscovery(out, input.outcome, input.server, input.region.region, input.account);
        if (input.found) checkIssuerAndProvider(out, input.found);
        return;
      }
    }
  },
});
