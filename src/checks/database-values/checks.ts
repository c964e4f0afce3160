/** The checks of the database-values module: IDs, severities, exit codes and fixes. */
export const CHECKS = {
  'orch-rdbms-exporter': {
    severity: 'FAIL',
    code: 77,
    title:
      '8.9+: secondary storage rdbms without orchestration.exporters.rdbms.enabled: the chart renders no rdbms connection settings',
    fix: 'Set orchestration.exporters.rdbms.enabled: true.',
  },
  'orch-rdbms-iam': {
    severity: 'FAIL',
    code: 78,
    title: '8.9+: orchestration’s relational secondary storage does not use IAM database authentication',
    fix: 'Set orchestration.data.secondaryStorage.rdbms.aws.enabled: true.',
  },
  'orch-rdbms-url': {
    severity: 'FAIL',
    code: 79,
    title: '8.9+: orchestration’s relational secondary storage has no PostgreSQL JDBC URL',
    fix: 'Set orchestration.data.secondaryStorage.rdbms.url to jdbc:postgresql://<Aurora cluster endpoint>:5432/<database>?sslmode=require.',
  },
  'orch-rdbms-username': {
    severity: 'FAIL',
    code: 80,
    title: '8.9+: orchestration’s relational secondary storage has no database user',
    fix: 'Set orchestration.data.secondaryStorage.rdbms.username to the database user granted rds_iam.',
  },
  'db-host-name': {
    severity: 'FAIL',
    code: 71,
    title: 'the database host is not a usable host name',
    fix: 'Set the database host to the Aurora endpoint host name.',
  },
  'db-port': {
    severity: 'FAIL',
    code: 72,
    title: 'the database port is not a TCP port',
    fix: 'Set the database port (Aurora: 5432).',
  },
  'db-tls': {
    severity: 'WARN',
    title: 'the JDBC settings do not require TLS: the IAM token is sent as the password',
    fix: 'Add sslmode=require to the JDBC parameters.',
  },
  'db-env-unread': {
    severity: 'WARN',
    title: 'a JDBC env variable is set from a Secret or ConfigMap (valueFrom): not checked',
    fix: 'Check the Secret or ConfigMap the variable is read from by hand.',
  },
  'db-user-env-override': {
    severity: 'WARN',
    title: 'SPRING_DATASOURCE_USERNAME in the env overrides the database user of the values',
    fix: 'Set the same database user in the values and in SPRING_DATASOURCE_USERNAME (or remove the env variable).',
  },
  'keycloak-postgresql-unset': {
    severity: 'FAIL',
    code: 81,
    title: 'identityKeycloak.postgresql.enabled is not defined',
    fix: 'Set identityKeycloak.postgresql.enabled: false',
  },
  'keycloak-postgresql-bundled': {
    severity: 'FAIL',
    code: 82,
    title: 'Keycloak uses the bundled PostgreSQL',
    fix: 'Set identityKeycloak.postgresql.enabled: false',
  },
  'keycloak-image-unset': {
    severity: 'FAIL',
    code: 83,
    title: 'the Keycloak image is not defined',
    fix: 'Set identityKeycloak.image.repository: camunda/keycloak',
  },
  'keycloak-image': {
    severity: 'FAIL',
    code: 84,
    title: 'the Keycloak image is not a camunda/keycloak image (no AWS JDBC wrapper)',
    fix: 'Set identityKeycloak.image.repository: camunda/keycloak',
  },
  'keycloak-db-host': {
    severity: 'FAIL',
    code: 85,
    title: 'identityKeycloak.externalDatabase.host is not set',
    fix: 'Set identityKeycloak.externalDatabase.host to the Aurora endpoint.',
  },
  'keycloak-external-host': {
    severity: 'FAIL',
    code: 86,
    title: 'no external Keycloak host (global.identity.keycloak.url.host)',
    fix: 'Set global.identity.keycloak.url.host to the external Keycloak.',
  },
  'keycloak-service': {
    severity: 'WARN',
    title: 'the cluster Service the external Keycloak host names does not exist (or cannot be read)',
    fix: 'Check the Keycloak deployment (kubectl get svc) and global.identity.keycloak.url.host.',
  },
  'keycloak-db-user': {
    severity: 'FAIL',
    code: 87,
    title: 'identityKeycloak.externalDatabase.user is not set',
    fix: 'Set identityKeycloak.externalDatabase.user to the database user granted rds_iam.',
  },
  'keycloak-db-user-default': {
    severity: 'WARN',
    title:
      'identityKeycloak.externalDatabase.user is not in your values: the chart default is the database user',
    fix: 'Set identityKeycloak.externalDatabase.user to the database user granted rds_iam.',
  },
  'keycloak-jdbc-env': {
    severity: 'FAIL',
    code: 87,
    title: 'the Keycloak AWS JDBC wrapper env (extraEnvVars) is missing or wrong',
    fix: 'Set the KEYCLOAK_EXTRA_ARGS/KEYCLOAK_JDBC_DRIVER/KEYCLOAK_JDBC_PARAMS extraEnvVars of identityKeycloak.',
  },
  'identity-db-external-unset': {
    severity: 'FAIL',
    code: 88,
    title: 'identity.externalDatabase.enabled is not defined',
    fix: 'Set identity.externalDatabase.enabled: true',
  },
  'identity-db-external': {
    severity: 'FAIL',
    code: 89,
    title: 'Identity does not use the external database',
    fix: 'Set identity.externalDatabase.enabled: true',
  },
  'identity-db-host': {
    severity: 'FAIL',
    code: 90,
    title: 'identity.externalDatabase.host is not set',
    fix: 'Set identity.externalDatabase.host to the Aurora endpoint.',
  },
  'identity-db-username': {
    severity: 'FAIL',
    code: 92,
    title: 'identity.externalDatabase.username is not set',
    fix: 'Set identity.externalDatabase.username to the IAM database user.',
  },
  'identity-db-env': {
    severity: 'FAIL',
    code: 93,
    title: 'Identity env does not select the AWS JDBC wrapper with IAM authentication',
    fix: 'Set identity.env SPRING_DATASOURCE_URL (jdbc:aws-wrapper:postgresql://…?wrapperPlugins=iam) and SPRING_DATASOURCE_DRIVER_CLASS_NAME (software.amazon.jdbc.Driver).',
  },
  'identity-db-url-host': {
    severity: 'WARN',
    title: 'identity.env SPRING_DATASOURCE_URL connects to another host than identity.externalDatabase.host',
    fix: 'Use the same host in identity.externalDatabase.host and identity.env SPRING_DATASOURCE_URL.',
  },
  'webmodeler-db-url-unset': {
    severity: 'FAIL',
    code: 94,
    title: 'the Web Modeler database URL is not set (or the bundled PostgreSQL is used)',
    fix: 'Set webModeler.restapi.externalDatabase.url to jdbc:aws-wrapper:postgresql://<host>:5432/<database>?wrapperPlugins=iam',
  },
  'webmodeler-db-url': {
    severity: 'FAIL',
    code: 95,
    title: 'the Web Modeler database URL is not an AWS JDBC wrapper URL with wrapperPlugins=iam',
    fix: 'Set webModeler.restapi.externalDatabase.url to jdbc:aws-wrapper:postgresql://<host>:5432/<database>?wrapperPlugins=iam',
  },
  'webmodeler-db-username': {
    severity: 'FAIL',
    code: 96,
    title: 'the Web Modeler database user is not set under the key the chart reads',
    fix: 'Set the Web Modeler database user (webModeler.restapi.externalDatabase.username, up to 8.8 .user).',
  },
  'webmodeler-db-user-key': {
    severity: 'WARN',
    title: 'a Web Modeler database user key is set that this chart version ignores',
    fix: 'Move the database user to the key this chart version reads.',
  },
  'webmodeler-db-driver-unset': {
    severity: 'FAIL',
    code: 97,
    title: 'webModeler.restapi.env SPRING_DATASOURCE_DRIVER_CLASS_NAME is not set',
    fix: 'Set webModeler.restapi.env SPRING_DATASOURCE_DRIVER_CLASS_NAME to software.amazon.jdbc.Driver.',
  },
  'webmodeler-db-driver': {
    severity: 'FAIL',
    code: 98,
    title: 'webModeler.restapi.env SPRING_DATASOURCE_DRIVER_CLASS_NAME is not software.amazon.jdbc.Driver',
    fix: 'Set webModeler.restapi.env SPRING_DATASOURCE_DRIVER_CLASS_NAME to software.amazon.jdbc.Driver.',
  },
} as const;
export type Id = keyof typeof CHECKS;
