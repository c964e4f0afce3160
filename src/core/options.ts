import type { InputLimits } from './limits.js';

/** Everything the CLI parsed, validated, in one object the dispatcher and modules read. */
export interface RunOptions {
  namespace: string;
  /** Raw component names as typed; resolved against the detected chart by the plan module. */
  exclude: string[];
  /** Undefined: the chart's default list (`identityKeycloak,identity,webModeler` where the chart has them). */
  pg?: string[];
  /** Undefined: the chart's default list (ChartProfile.defaultOs, src/helm/chart/profiles.ts). */
  os?: string[];
  spawn: boolean;
  token: boolean;
  /** --direct: make the data-plane proofs (Aurora login, OpenSearch authinfo) from this machine. */
  direct: boolean;
  /** --no-logs turns off the scan of the component pods' recent logs. */
  logs: boolean;
  kubeconfig?: string;
  context?: string;
  release?: string;
  region?: string;
  clusterName?: string;
  /** --platform: skips detection (src/platform/detect.ts). */
  platform?: 'eks' | 'self-managed';
  profile?: string;
  /**
   * `--assume-role ACCOUNT=ROLE_ARN` (repeatable): resources of ACCOUNT (a cross-account role,
   * Aurora cluster, OpenSearch domain) are read as ROLE_ARN, assumed with the run's credentials.
   */
  assumeRoles?: Record<string, string>;
  /**
   * `--profile-for ACCOUNT=PROFILE` (repeatable): resources of ACCOUNT are read with that AWS
   * profile of the shared config (SSO, credential_process, its own role_arn…), instead of a role
   * assumed with the run's credentials. An account may have one or the other, not both.
   */
  profiles?: Record<string, string>;
  output: 'text' | 'json' | 'sarif' | 'markdown';
  /** --fail-on: the lowest level that makes the exit code non-zero ('never': only irsa-check's own failures do). */
  failOn?: 'fail' | 'warn' | 'never';
  /** The kubeconfig context whose namespace was used because -n was not given (said once, as an INFO). */
  namespaceFrom?: string;
  /** Append the Markdown report to this file (--summary; default $GITHUB_STEP_SUMMARY). */
  summary?: string;
  color: boolean;
  verbose: boolean;
  record?: string;
  replay?: string;
  junit?: string;
  values: string[];
  chartVersion?: string;
  chart?: string;
  jobImage: string;
  /** Image with psql for the Aurora login Job (--psql-image; a mirror where Docker Hub is out of reach). */
  psqlImage: string;
  /** --db-ca: the certificates an Aurora endpoint's TLS certificate must chain to, instead of the RDS CAs. */
  dbCa?: string[];
  jobTimeoutSeconds: number;
  allNamespaces: boolean;
  /** Check and module IDs turned off with --skip. */
  skip: string[];
  /** Overall deadline of the run, Jobs excluded (`--timeout`); Jobs add `jobTimeoutSeconds`. */
  timeoutSeconds: number;
  /** Deadline of one Kubernetes or AWS request (`--request-timeout`, env IRSA_CHECK_REQUEST_TIMEOUT_MS). */
  requestTimeoutMs: number;
  /** Input limits (`--max-input-mb`, `--max-depth`); undefined: DEFAULT_LIMITS (src/core/limits.ts). */
  limits?: InputLimits;
}

export const DEFAULT_PG = ['identityKeycloak', 'identity', 'webModeler'];
export const DEFAULT_JOB_IMAGE = 'public.ecr.aws/aws-cli/aws-cli:2.22.0';
/** psql for the Aurora login Job: the official PostgreSQL image (Docker Hub library), Alpine variant. */
export const DEFAULT_PSQL_IMAGE = 'docker.io/library/postgres:17-alpine';
export const DEFAULT_JOB_TIMEOUT_SECONDS = 120;
export const DEFAULT_TIMEOUT_SECONDS = 120;
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = 30;
