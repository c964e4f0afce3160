/**
 * The narrow AWS interface the checks ask. Answers are plain JSON-able objects
 * so they can be recorded to and replayed from a bundle. Errors are thrown as
 * ApiCallError (core/errors.ts) with the IAM-style operation name. A port: it
 * imports nothing of the project but the other ports.
 */
import type { AwsQuery } from './aws-query.js';

export type { AnyAwsQuery, AwsPagination, AwsQuery, AwsService } from './aws-query.js';
export { awsQuery } from './aws-query.js';
import type { PodIdentityAnswer } from './eks-auth.js';

export interface CallerIdentity {
  arn: string;
  account: string;
  userId: string;
}

export interface EksCluster {
  name: string;
  arn: string;
  endpoint?: string;
  version?: string;
  status?: string;
  /** identity.oidc.issuer */
  issuer?: string;
  /** resourcesVpcConfig: the cluster's VPC and who may reach its API endpoint. */
  vpcId?: string;
  endpointPublicAccess?: boolean;
  endpointPrivateAccess?: boolean;
}

export interface OidcProvider {
  arn: string;
  /** As IAM stores it: without `https://`. */
  url: string;
  clientIds: string[];
  /** SHA-1 thumbprints (lower-case hex) of the issuer's certificate chain IAM was given. */
  thumbprints?: string[];
}

export interface IamRole {
  arn: string;
  name: string;
  path: string;
  /** Decoded trust policy document. */
  trustPolicy: unknown;
  permissionsBoundaryArn?: string;
  /** RoleLastUsed.LastUsedDate (ISO 8601): when any principal last used the role; absent = not in IAM's tracking window. */
  lastUsedDate?: string;
}

export interface AttachedPolicy {
  arn: string;
  name: string;
}

export interface InlinePolicy {
  name: string;
  document: unknown;
}

export interface DbCluster {
  identifier: string;
  arn: string;
  resourceId: string;
  endpoint?: string;
  readerEndpoint?: string;
  customEndpoints: string[];
  port?: number;
  status?: string;
  engine?: string;
  iamAuthEnabled: boolean;
}

/** One Auth entry of an RDS Proxy (DescribeDBProxies Auth[]). */
export interface DbProxyAuth {
  /** DISABLED, REQUIRED or ENABLED: whether clients may (must) log in with an IAM auth token. */
  iamAuth?: string;
  /** The database user the entry's Secrets Manager secret logs in as (when the proxy says). */
  userName?: string;
  secretArn?: string;
}

/** An RDS Proxy (rds:DescribeDBProxies). */
export interface DbProxy {
  name: string;
  /** `arn:aws:rds:<region>:<account>:db-proxy:prx-…`: its last part is the rds-db resource id. */
  arn: string;
  endpoint?: string;
  /** POSTGRESQL, MYSQL or SQLSERVER. */
  engineFamily?: string;
  status?: string;
  requireTls?: boolean;
  auth: DbProxyAuth[];
}

/** A SigV4-signed GET to an OpenSearch domain with irsa-check's own credentials. */
export interface OpenSearchAnswer {
  status: number;
  body: string;
}

export interface OpenSearchDomain {
  name: string;
  arn: string;
  endpoint?: string;
  /** VPC endpoints, keyed by type (`vpc`, …). */
  endpoints: Record<string, string>;
  customEndpoint?: string;
  created: boolean;
  deleted: boolean;
  processing: boolean;
  httpsEnforced: boolean;
  fineGrainedAccessControl: boolean;
  anonymousAuthEnabled?: boolean;
  internalUserDatabaseEnabled?: boolean;
  masterUserArn?: string;
  accessPolicies?: unknown;
}

export interface SimulationResult {
  action: string;
  resource: string;
  decision: 'allowed' | 'explicitDeny' | 'implicitDeny';
  /** true: the simulator says an AWS Organizations policy (SCP) does not allow it (OrganizationsDecisionDetail). */
  deniedByOrganizations?: boolean;
}

export interface AssumedRole {
  assumedRoleArn: string;
  /**
   * The temporary credentials STS handed out, as a pod's SDK gets them: the --direct
   * data-plane proofs sign with them. A secret: never printed, redacted in bundles.
   */
  credentials?: TemporaryCredentials;
}

/** An EC2 instance's metadata-service settings (DescribeInstances MetadataOptions). */
export interface Ec2Instance {
  instanceId: string;
  /** HttpTokens `required`: IMDSv2 only (not named *tokens*, which bundles would redact). */
  imdsV2Required: boolean;
  httpPutResponseHopLimit?: number;
  /** `disabled` = no IMDS at all. */
  httpEndpoint?: string;
  /** Where the node runs: its subnet (whose route table is its way out), AZ, security groups, address. */
  subnetId?: string;
  availabilityZone?: string;
  securityGroupIds?: string[];
  privateIp?: string;
}

/** An EKS Pod Identity association (ListPodIdentityAssociations + DescribePodIdentityAssociation). */
export interface PodIdentityAssociation {
  associationId: string;
  namespace: string;
  serviceAccount: string;
  roleArn?: string;
  /**
   * Cross-account Pod Identity: EKS assumes `roleArn`, then this role with it, and the pods get
   * this role's credentials (EKS API reference, PodIdentityAssociation.targetRoleArn).
   */
  targetRoleArn?: string;
  /** The sts:ExternalId EKS presents when it assumes `targetRoleArn`. */
  externalId?: string;
  /** true: EKS adds no session tags (kubernetes-namespace, …) when it assumes the role. */
  disableSessionTags?: boolean;
  /**
   * The association's own IAM policy (JSON text): EKS applies it as a session policy, so the pods
   * get only what both it and the role's policies allow (EKS API reference,
   * PodIdentityAssociation.policy; IAM User Guide, "Session policies").
   */
  policy?: string;
}

/** A VPC endpoint (DescribeVpcEndpoints). */
export interface VpcEndpoint {
  id: string;
  serviceName: string;
  type?: string;
  state?: string;
  privateDnsEnabled: boolean;
  /** Interface endpoints: the subnets holding its network interfaces, and its security groups. */
  subnetIds?: string[];
  securityGroupIds?: string[];
}

/** What a route sends its traffic to (the one target field DescribeRouteTables sets). */
export type RouteTargetKind =
  | 'local'
  | 'internet-gateway'
  | 'nat-gateway'
  | 'transit-gateway'
  | 'instance'
  | 'network-interface'
  | 'vpc-peering'
  | 'virtual-private-gateway'
  | 'gateway-endpoint'
  | 'egress-only-internet-gateway'
  | 'other';

export interface Route {
  /** IPv4 CIDR, IPv6 CIDR or prefix list ID. */
  destination: string;
  kind: RouteTargetKind;
  target: string;
  /** `blackhole` (its target was deleted) routes nothing. */
  active: boolean;
}

/** ec2:DescribeRouteTables: a route table, the subnets explicitly associated with it, and whether it is the VPC's main one. */
export interface RouteTable {
  id: string;
  main: boolean;
  subnetIds: string[];
  routes: Route[];
}

export interface Subnet {
  id: string;
  availabilityZone: string;
}

/** One inbound rule of a security group (ec2:DescribeSecurityGroups IpPermissions). */
export interface IngressRule {
  /** `tcp`, `udp`, `icmp`, or `-1` for all. */
  protocol: string;
  fromPort?: number;
  toPort?: number;
  sourceGroupIds: string[];
  cidrs: string[];
}

export interface SecurityGroup {
  id: string;
  ingress: IngressRule[];
}

/**
 * Temporary credentials from AssumeRoleWithWebIdentity, for the direct data-plane
 * proofs. Never recorded (core/calls.ts) and never printed.
 */
export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

export interface Aws {
  callerIdentity(): Promise<CallerIdentity>;
  listEksClusters(region: string): Promise<string[]>;
  eksCluster(name: string, region: string): Promise<EksCluster | undefined>;
  oidcProviders(): Promise<OidcProvider[]>;
  role(name: string): Promise<IamRole | undefined>;
  attachedPolicies(roleName: string): Promise<AttachedPolicy[]>;
  inlinePolicies(roleName: string): Promise<InlinePolicy[]>;
  /** Default version of a managed policy, decoded. */
  policyDocument(policyArn: string): Promise<unknown>;
  dbClusters(region: string): Promise<DbCluster[]>;
  openSearchDomains(region: string): Promise<OpenSearchDomain[]>;
  /** iam:SimulatePrincipalPolicy; undefined when the API is not available (e.g. moto). */
  simulatePrincipalPolicy(
    principalArn: string,
    actions: string[],
    resources: string[],
  ): Promise<SimulationResult[] | undefined>;
  assumeRoleWithWebIdentity(roleArn: string, token: string, region: string): Promise<AssumedRole>;
  /** eks-auth:AssumeRoleForPodIdentity with a ServiceAccount token of aud pods.eks.amazonaws.com. */
  assumeRoleForPodIdentity(cluster: string, token: string, region: string): Promise<PodIdentityAnswer>;
  /** ec2:DescribeInstances for these instance IDs (unknown IDs are left out). */
  instances(region: string, instanceIds: string[]): Promise<Ec2Instance[]>;
  /** eks:ListPodIdentityAssociations in a namespace; undefined when the endpoint does not implement the API. */
  podIdentityAssociations(
    cluster: string,
    region: string,
    namespace: string,
  ): Promise<PodIdentityAssociation[] | undefined>;
  /** ec2:DescribeVpcEndpoints of a VPC. */
  vpcEndpoints(region: string, vpcId: string): Promise<VpcEndpoint[]>;
  /** ec2:DescribeRouteTables of a VPC. */
  routeTables(region: string, vpcId: string): Promise<RouteTable[]>;
  /** ec2:DescribeSubnets of a VPC. */
  subnets(region: string, vpcId: string): Promise<Subnet[]>;
  /** ec2:DescribeSecurityGroups: these groups' inbound rules (unknown IDs are left out). */
  securityGroups(region: string, groupIds: string[]): Promise<SecurityGroup[]>;
  /** rds:DescribeDBProxies in a region (the data-plane proof through an RDS Proxy). */
  dbProxies(region: string): Promise<DbProxy[]>;
  /**
   * es:ESHttpGet of `path` on an OpenSearch domain, signed with irsa-check's own
   * credentials (the operator's): the security plugin's roles, to tell what a mapped role
   * grants. Throws ApiCallError when the domain does not answer.
   */
  openSearchGet(baseUrl: string, region: string, path: string): Promise<OpenSearchAnswer>;
  /**
   * A declarative call (src/ports/aws-query.ts): the SDK command a collector declares, sent like
   * every other call and answered as the query's `output` makes it. Its IAM actions are the
   * query's own (README "Permissions" adds those of every query a registered module declares).
   */
  query<A extends unknown[], T>(q: AwsQuery<A, T, unknown>, ...args: A): Promise<T>;
  /** DNS: the CNAME chain target of a host, for matching custom DB endpoints. */
  resolveCname(host: string): Promise<string[]>;
}

/**
 * What each AWS call needs of the identity irsa-check runs as: README "Permissions" is
 * generated from these (src/docs/permissions.ts), and test/docs.test.ts holds them against
 * the operations src/platform/live-aws.ts names. `unsigned`: operations made without
 * irsa-check's credentials, so they need no permission of its own.
 */
export interface AwsNeeds {
  actions: readonly string[];
  unsigned?: readonly string[];
}

/**
 * In README order: the policy lists the actions as they come here, then those of the queries the
 * registered modules declare (`query` itself needs nothing: each query names its own actions).
 */
export const AWS_PERMISSIONS: { readonly [M in Exclude<keyof Aws, 'query'>]: AwsNeeds } = {
  callerIdentity: { actions: ['sts:GetCallerIdentity'] },
  listEksClusters: { actions: ['eks:ListClusters'] },
  eksCluster: { actions: ['eks:DescribeCluster'] },
  oidcProviders: { actions: ['iam:ListOpenIDConnectProviders', 'iam:GetOpenIDConnectProvider'] },
  role: { actions: ['iam:GetRole'] },
  inlinePolicies: { actions: ['iam:ListRolePolicies', 'iam:GetRolePolicy'] },
  attachedPolicies: { actions: ['iam:ListAttachedRolePolicies'] },
  policyDocument: { actions: ['iam:GetPolicy', 'iam:GetPolicyVersion'] },
  simulatePrincipalPolicy: { actions: ['iam:SimulatePrincipalPolicy'] },
  dbClusters: { actions: ['rds:DescribeDBClusters'] },
  openSearchDomains: { actions: ['es:ListDomainNames', 'es:DescribeDomains'] },
  instances: { actions: ['ec2:DescribeInstances'] },
  vpcEndpoints: { actions: ['ec2:DescribeVpcEndpoints'] },
  routeTables: { actions: ['ec2:DescribeRouteTables'] },
  subnets: { actions: ['ec2:DescribeSubnets'] },
  securityGroups: { actions: ['ec2:DescribeSecurityGroups'] },
  podIdentityAssociations: {
    actions: ['eks:ListPodIdentityAssociations', 'eks:DescribePodIdentityAssociation'],
  },
  dbProxies: { actions: ['rds:DescribeDBProxies'] },
  // The operator's own signed GET of the security plugin's roles (--direct).
  openSearchGet: { actions: ['es:ESHttpGet'] },
  // The pod-less proof presents the ServiceAccount's token: STS checks the role's trust, not irsa-check.
  assumeRoleWithWebIdentity: { actions: [], unsigned: ['sts:AssumeRoleWithWebIdentity'] },
  // The pod-less proof of EKS Pod Identity: a signed call, unlike AssumeRoleWithWebIdentity.
  assumeRoleForPodIdentity: { actions: ['eks-auth:AssumeRoleForPodIdentity'] },
  // DNS, not AWS.
  resolveCname: { actions: [] },
};

/**
 * Needed besides AWS_PERMISSIONS only with `--assume-role ACCOUNT=ROLE`: the live adapter assumes
 * each role named for the calls in its account (README "Permissions" says so under the policy).
 */
export const ASSUME_ROLE_PERMISSION = 'sts:AssumeRole';
