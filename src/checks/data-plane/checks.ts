/** The data-plane proofs' checks: the Aurora login (codes 260-265) and the OpenSearch role mapping (270-273). */
export const CHECKS = {
  'aurora-pam-authentication-failed': {
    severity: 'FAIL',
    code: 260,
    title: 'Aurora refused the IAM login (PAM authentication failed): user missing or not granted rds_iam',
    fix: 'CREATE USER …; GRANT rds_iam TO …;',
  },
  'aurora-database-missing': {
    severity: 'FAIL',
    code: 261,
    title: 'the component’s database does not exist on the Aurora cluster',
    fix: 'Create the database.',
  },
  'aurora-tls-refused': {
    severity: 'FAIL',
    code: 262,
    title: 'the database host refused TLS',
    fix: 'Use the Aurora endpoint, with TLS.',
  },
  'aurora-unreachable': {
    severity: 'FAIL',
    code: 263,
    title: 'the database is not reachable from where the data-plane proof runs',
    fix: 'Run from inside the VPC; open the security group.',
  },
  'aurora-login-error': {
    severity: 'FAIL',
    code: 264,
    title: 'the Aurora login failed for another reason',
    fix: 'Check the database log.',
  },
  'aurora-user-not-rds-iam': {
    severity: 'FAIL',
    code: 265,
    title: 'the database user is not a member of rds_iam',
    fix: 'GRANT rds_iam TO the user.',
  },
  'aurora-tls-unverified': {
    severity: 'WARN',
    title:
      'the Aurora endpoint’s TLS certificate does not verify against the Amazon RDS CAs (or --db-ca) for its host name',
    fix: 'Use the Aurora endpoint by its own name, or pass the CA that issued the certificate with --db-ca.',
  },
  'aurora-login-not-proven': {
    severity: 'INFO',
    title:
      'the Aurora login could not be tried (database host, user or name unknown, no credentials, or the verification Job gave no verdict), so it is not proven',
  },
  'opensearch-role-unmapped': {
    severity: 'FAIL',
    code: 270,
    title: 'OpenSearch fine-grained access control maps the IAM role to no OpenSearch role',
    fix: 'Map the role (backend_roles) in OpenSearch.',
  },
  'opensearch-signed-request-refused': {
    severity: 'FAIL',
    code: 271,
    title: 'OpenSearch refused a request signed with the role',
    fix: 'Allow es:ESHttp* for the role.',
  },
  'opensearch-unreachable': {
    severity: 'FAIL',
    code: 272,
    title: 'OpenSearch is not reachable from where the data-plane proof runs',
    fix: 'Run from inside the VPC; open the security group.',
  },
  'opensearch-authinfo-error': {
    severity: 'FAIL',
    code: 273,
    title: 'OpenSearch answered the authinfo request unexpectedly',
    fix: 'Check the domain.',
  },
  'opensearch-mapping-not-proven': {
    severity: 'INFO',
    title:
      'the OpenSearch role mapping could not be asked (no credentials, or the verification Job gave no verdict), so it is not proven',
  },
} as const;
export type Id = keyof typeof CHECKS;
