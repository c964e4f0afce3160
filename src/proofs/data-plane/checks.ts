/** The data-plane proofs' checks: the Aurora login (codes 260-269) and the OpenSearch role mapping (270-276). */
export const CHECKS = {
  'aurora-pam-authentication-failed': {
    severity: 'FAIL',
    code: 260,
    title:
      'Aurora refused the IAM login as a password (password authentication failed): user missing or not granted rds_iam',
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
  'aurora-token-rejected': {
    severity: 'FAIL',
    code: 266,
    title:
      'Aurora refused the IAM auth token of a user granted rds_iam (PAM authentication failed): rds-db:connect resource, user or Region, or the token’s host, port or Region',
    fix: 'Allow rds-db:connect on the cluster’s dbuser resource in the role’s policy; make the token for the endpoint the component uses.',
  },
  'aurora-hba-rejected': {
    severity: 'FAIL',
    code: 267,
    title: 'the database’s pg_hba.conf has no entry admitting the user over TLS',
    fix: 'Use the Aurora endpoint, or add a hostssl line to pg_hba.conf.',
  },
  'aurora-proxy-iam': {
    severity: 'FAIL',
    code: 268,
    title:
      'the RDS Proxy refused the IAM login (its IAM authentication, rds-db:connect on its prx- resource, or its secret for the user)',
    fix: 'Turn on IAM authentication of the proxy and allow rds-db:connect on its prx- resource; never GRANT rds_iam behind a proxy.',
  },
  'aurora-wrong-principal': {
    severity: 'FAIL',
    code: 269,
    title:
      'the Aurora login proof ran as another AWS principal than the component’s role (the node role: IRSA not injected)',
    fix: 'Make the pods of the service account get the annotated role, then run again.',
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
  'opensearch-wrong-principal': {
    severity: 'FAIL',
    code: 274,
    title:
      'the OpenSearch proof ran, or OpenSearch authenticated it, as another principal than the component’s role',
    fix: 'Make the pods of the service account get the annotated role, then run again.',
  },
  'opensearch-role-insufficient': {
    severity: 'FAIL',
    code: 275,
    title:
      'the OpenSearch roles the IAM role maps to do not grant what Camunda needs (cluster_composite_ops, cluster_monitor; crud and create_index on its indices)',
    fix: 'Map the role to all_access or to a role with those permissions.',
  },
  'opensearch-index-permissions': {
    severity: 'WARN',
    title:
      'the mapped OpenSearch roles grant writes, but not crud and create_index on Camunda’s default index prefixes',
    fix: 'Grant crud and create_index on the component’s index prefixes.',
  },
  'opensearch-writes-refused': {
    severity: 'FAIL',
    code: 276,
    title:
      'fine-grained access control is off and the domain’s access policy does not allow the role every request Camunda sends (es:ESHttpGet/Head/Put/Post/Delete)',
    fix: 'Allow es:ESHttp* for the role in the domain access policy.',
  },
  'opensearch-permissions-unknown': {
    severity: 'INFO',
    title:
      'irsa-check cannot tell which permissions a mapped OpenSearch role grants (its definition is not readable with the operator’s credentials)',
  },
  'opensearch-mapping-not-proven': {
    severity: 'INFO',
    title:
      'the OpenSearch role mapping could not be asked (no credentials, or the verification Job gave no verdict), so it is not proven',
  },
} as const;
export type Id = keyof typeof CHECKS;
