/**
 * The facts check modules share. Each fact has exactly one providing module
 * (checked when the registry loads); a module names the facts it needs and the
 * dispatcher starts it once they exist, so no module reads a fact before its
 * provider wrote it, whatever order the modules finish in.
 */
import type {
  CallerIdentity,
  DbCluster,
  EksCluster,
  OpenSearchDomain,
  PodIdentityAssociation,
  TemporaryCredentials,
} from '../ports/aws.js';
import type { HelmRelease } from '../helm/release.js';
import type { Values } from '../helm/values.js';
import type { ChartProfile, ChartVersion, ServiceAccountPlan } from '../helm/chart.js';
import type { PlatformDecision } from '../platform/detect.js';
import type { CredentialSource, WebhookSettings } from '../platform/pod-identity.js';
import type { SharedPublicDiscovery } from '../platform/public-issuer.js';

export type KeycloakMode = 'subchart' | 'external' | 'none';

/** One component the run checks, with the lists that named it and its ServiceAccount. */
export interface PlannedComponent {
  key: string;
  pg: boolean;
  os: boolean;
  serviceAccount: ServiceAccountPlan;
}

/** Where a component's database lives, as the values say. */
export interface DatabaseTarget {
  host: string;
  port: number;
  dbUser?: string;
}

/** The Aurora cluster behind a component's database host, as the Aurora module found it. */
export interface AuroraTarget {
  cluster: DbCluster;
  region: string;
}

/** The OpenSearch endpoint the values configure. */
export interface OpenSearchTarget {
  host: string;
  port: number;
}

/** The OpenSearch domain behind that endpoint, as the OpenSearch module found it. */
export interface OpenSearchDomainTarget {
  domain: OpenSearchDomain;
  region?: string;
}

export interface Facts {
  /** EKS or self-managed (EKS Anywhere, kOps, kubeadm), decided by preflight. */
  platform: PlatformDecision;
  /** The self-managed pod identity webhook's flags (webhook module); EKS: the managed defaults. */
  webhook: WebhookSettings;
  caller: CallerIdentity;
  partition: string;
  release: HelmRelease;
  chartVersion: ChartVersion;
  profile: ChartProfile;
  values: Values;
  keycloakMode: KeycloakMode;
  /** Component lists resolved against the chart: names as chart keys. */
  pgList: string[];
  osList: string[];
  plan: PlannedComponent[];
  /** The cluster's AWS region. */
  region: string;
  cluster: EksCluster;
  /** The cluster's service-account issuer URL (EKS DescribeCluster, or the API server's discovery). */
  issuer: string;
  oidcProviderArn: string;
  /** pg component → its database, from the values. */
  databases: ReadonlyMap<string, DatabaseTarget>;
  /** pg component → the Aurora cluster its host is an endpoint of. */
  auroraClusters: ReadonlyMap<string, AuroraTarget>;
  openSearch: OpenSearchTarget;
  openSearchDomain: OpenSearchDomainTarget;
  /**
   * EKS Pod Identity associations of the namespace, by ServiceAccount name (pod-identity module);
   * missing when the EKS API does not answer them.
   */
  podIdentity: ReadonlyMap<string, PodIdentityAssociation>;
  /**
   * component → the role its pods' credentials are for: the Pod Identity association's role
   * when there is one (it takes precedence), else the role annotated on its ServiceAccount.
   */
  roleArns: ReadonlyMap<string, string>;
  /** component → how its pods get credentials (IRSA or Pod Identity), for every component in roleArns. */
  credentialSources: ReadonlyMap<string, CredentialSource>;
  /**
   * component → the temporary credentials the pod-less proof's AssumeRoleWithWebIdentity
   * handed out for its ServiceAccount's token (a secret: never printed or recorded).
   */
  webIdentity: ReadonlyMap<string, TemporaryCredentials>;
  /** The issuer's public discovery and JWKS as the issuer-chain module fetched them (self-managed). */
  publicIssuer: SharedPublicDiscovery;
  /**
   * There is a Kubernetes cluster to ask: present unless the run is values-only without a
   * kubeconfig (RunScope.noCluster). The dispatcher knows it before any module runs; a module
   * that needs the cluster lists it in `needs` and is skipped with "needs the Kubernetes cluster".
   */
  kubernetes: true;
}

export type FactKey = keyof Facts;

/** What a module that lacks a fact says it needs: "skipped: needs <label>". */
export const FACT_LABELS: Record<FactKey, string> = {
  platform: 'the platform (EKS or self-managed)',
  webhook: "the pod identity webhook's settings",
  caller: 'the AWS caller identity',
  partition: 'the AWS partition',
  release: 'the Helm release',
  chartVersion: 'the chart version',
  profile: 'the chart profile',
  values: 'the Helm values',
  keycloakMode: 'the Keycloak mode',
  pgList: 'the PostgreSQL component list',
  osList: 'the OpenSearch component list',
  plan: 'the component plan',
  region: "the cluster's AWS region",
  cluster: 'the EKS cluster',
  issuer: "the cluster's OIDC issuer",
  oidcProviderArn: "the cluster's IAM OIDC provider",
  databases: 'the database settings',
  auroraClusters: 'the Aurora clusters',
  openSearch: 'the OpenSearch endpoint',
  openSearchDomain: 'the OpenSearch domain',
  podIdentity: 'the EKS Pod Identity associations',
  roleArns: 'an annotated role',
  credentialSources: 'how the pods get credentials',
  webIdentity: "the pod-less proof's credentials",
  publicIssuer: "the issuer's public discovery",
  kubernetes: 'the Kubernetes cluster',
};

/** Facts as a module sees them: those it needs are present, the rest may not be. */
export type FactsWith<N extends FactKey> = Partial<Facts> & { readonly [K in N]: Facts[K] };
