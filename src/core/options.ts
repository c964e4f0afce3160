/** Everything the CLI parsed, validated, in one object the dispatcher and modules read. */
export interface RunOptions {
  namespace: string;
  /** Raw component names as typed; resolved against the detected chart by the plan module. */
  exclude: string[];
  /** Undefined: the chart's default list (`identityKeycloak,identity,webModeler` where the chart has them). */
  pg?: string[];
  /** Undefined: the chart's default list (CHECKS.md). */
  os?: string[];
  spawn: boolean;
  token: boolean;
  kubeconfig?: string;
  context?: string;
  release?: string;
  region?: string;
  clusterName?: string;
  /** --platform: skips detection (src/platform/detect.ts). */
  platform?: 'eks' | 'self-managed';
  profile?: string;
  output: 'text' | 'json' | 'sarif';
  color: boolean;
  verbose: boolean;
  record?: string;
  replay?: string;
  junit?: string;
  values: string[];
  chartVersion?: string;
  chart?: string;
  jobImage: string;
  jobTimeoutSeconds: number;
  allNamespaces: boolean;
}

export const DEFAULT_PG = ['identityKeycloak', 'identity', 'webModeler'];
export const DEFAULT_JOB_IMAGE = 'public.ecr.aws/aws-cli/aws-cli:2.22.0';
export const DEFAULT_JOB_TIMEOUT_SECONDS = 120;
