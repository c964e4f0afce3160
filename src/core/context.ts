import type { RunOptions } from './options.js';
import type { PlatformDecision } from '../platform/detect.js';
import type { WebhookSettings } from '../platform/pod-identity.js';
import type { Redactor } from './redact.js';
import type { Kube } from '../platform/kube.js';
import type { Aws, CallerIdentity, DbCluster, EksCluster, OpenSearchDomain } from '../platform/aws.js';
import type { HelmRelease } from '../helm/release.js';
import type { Values } from '../helm/values.js';
import type { ChartProfile, ChartVersion, ServiceAccountPlan } from '../helm/chart.js';

export type KeycloakMode = 'subchart' | 'external' | 'none';

/** One component the run checks, with the lists that named it and its ServiceAccount. */
export interface PlannedComponent {
  key: string;
  pg: boolean;
  os: boolean;
  serviceAccount: ServiceAccountPlan;
}

/** Where a component's database lives, as the Aurora module found it. */
export interface DatabaseTarget {
  host: string;
  port: number;
  dbUser?: string;
  cluster?: DbCluster;
  region?: string;
}

/** Facts modules share, filled in run order; a later module reads, never re-fetches. */
export interface Facts {
  /** EKS or self-managed (EKS Anywhere, kOps, kubeadm), decided by preflight. */
  platform?: PlatformDecision;
  /** The self-managed pod identity webhook's flags (webhook module); EKS: the managed defaults. */
  webhook?: WebhookSettings;
  caller?: CallerIdentity;
  partition?: string;
  release?: HelmRelease;
  chartVersion?: ChartVersion;
  profile?: ChartProfile;
  values?: Values;
  keycloakMode?: KeycloakMode;
  /** Component lists resolved against the chart: names as chart keys. */
  pgList?: string[];
  osList?: string[];
  plan?: PlannedComponent[];
  region?: string;
  cluster?: EksCluster;
  /** The cluster's service-account issuer URL (EKS DescribeCluster, or the API server's discovery). */
  issuer?: string;
  oidcProviderArn?: string;
  /** pg component → its database. */
  databases: Map<string, DatabaseTarget>;
  openSearch?: { host: string; port: number; domain?: OpenSearchDomain; region?: string };
  /** component → role ARN annotated on its ServiceAccount. */
  roleArns: Map<string, string>;
}

export interface Context {
  options: RunOptions;
  kube: Kube;
  aws: Aws;
  facts: Facts;
  /**
   * Computes (live) or replays (--replay) a result derived from call answers that
   * cannot be derived again offline, e.g. a JWT signature verdict. Recorded in bundles.
   * For `verifyToken`, args[0] is the token: it is left out of the replay key (and redacted when recorded).
   */
  derive<T>(method: string, args: unknown[], compute: () => Promise<T>): Promise<T>;
  /** Hides secrets learnt from the values in every printed message. */
  redactor: Redactor;
  /** Write a progress/diagnostic line for --verbose (stderr, never in json). */
  debug(message: string): void;
}

export function emptyFacts(): Facts {
  return { databases: new Map(), roleArns: new Map() };
}
