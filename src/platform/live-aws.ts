/**
 * Aws over the @aws-sdk/client-* v3 clients. Each client module is imported on
 * first use (≈0.15 s each), so a run that never asks RDS never loads it.
 */
import { ApiCallError } from '../core/errors.js';
import type {
  AssumedRole,
  AttachedPolicy,
  Aws,
  CallerIdentity,
  DbCluster,
  EksCluster,
  IamRole,
  InlinePolicy,
  OidcProvider,
  OpenSearchDomain,
  SimulationResult,
} from './aws.js';

export interface LiveAwsOptions {
  region?: string;
  profile?: string;
}

/** SDK errors → ApiCallError with the IAM action name, so messages can say what to grant. */
export function awsError(operation: string, e: unknown): ApiCallError {
  const err = e as {
    name?: string;
    Code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const reason = err?.Code ?? err?.name ?? 'Error';
  const message = (err?.message ?? String(e)).split('\n')[0] ?? '';
  return new ApiCallError('aws', operation, reason, message, err?.$metadata?.httpStatusCode);
}

function notYet(operation: string): never {
  throw new ApiCallError('aws', operation, 'NotImplemented', `${operation} is not implemented yet`);
}

export class LiveAws implements Aws {
  constructor(private readonly opts: LiveAwsOptions) {}

  /** Client settings shared by every service: region, profile, adaptive retry on throttling. */
  protected clientConfig(region?: string): Record<string, unknown> {
    return {
      region: region ?? this.opts.region ?? 'us-east-1',
      ...(this.opts.profile ? { profile: this.opts.profile } : {}),
      retryMode: 'adaptive',
      maxAttempts: 5,
    };
  }

  async callerIdentity(): Promise<CallerIdentity> {
    const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
    try {
      const out = await new STSClient(this.clientConfig()).send(new GetCallerIdentityCommand({}));
      return { arn: out.Arn ?? '', account: out.Account ?? '', userId: out.UserId ?? '' };
    } catch (e) {
      throw awsError('sts:GetCallerIdentity', e);
    }
  }

  async listEksClusters(_region: string): Promise<string[]> {
    notYet('eks:ListClusters');
  }
  async eksCluster(_name: string, _region: string): Promise<EksCluster | undefined> {
    notYet('eks:DescribeCluster');
  }
  async oidcProviders(): Promise<OidcProvider[]> {
    notYet('iam:ListOpenIDConnectProviders');
  }
  async role(_name: string): Promise<IamRole | undefined> {
    notYet('iam:GetRole');
  }
  async attachedPolicies(_roleName: string): Promise<AttachedPolicy[]> {
    notYet('iam:ListAttachedRolePolicies');
  }
  async inlinePolicies(_roleName: string): Promise<InlinePolicy[]> {
    notYet('iam:ListRolePolicies');
  }
  async policyDocument(_policyArn: string): Promise<unknown> {
    notYet('iam:GetPolicyVersion');
  }
  async dbClusters(_region: string): Promise<DbCluster[]> {
    notYet('rds:DescribeDBClusters');
  }
  async openSearchDomains(_region: string): Promise<OpenSearchDomain[]> {
    notYet('es:DescribeDomains');
  }
  async simulatePrincipalPolicy(): Promise<SimulationResult[] | undefined> {
    return undefined;
  }
  async assumeRoleWithWebIdentity(_roleArn: string, _token: string, _region: string): Promise<AssumedRole> {
    notYet('sts:AssumeRoleWithWebIdentity');
  }
  async resolveCname(_host: string): Promise<string[]> {
    return [];
  }
}
