/**
 * The in-cluster (Job) form of the data-plane proofs, for when the database and the
 * domain are reachable only from inside the cluster. Built on the one Job template
 * (platform/job-template.ts: naming, labels, deadline, TTL, `restricted` security
 * context); public stock images only, nothing installed at run time; each Job talks
 * only to the database or the domain (and STS, through the SDK). Values travel as
 * arguments, never spliced into shell text. Tokens and credentials stay in the pod:
 * the scripts print one marker line, and only that line is parsed.
 */
import { classifyAuthInfo, AUTHINFO_PATH, type AuthInfoResult } from './opensearch-authinfo.js';
import {
  classifyLoginText,
  RDS_IAM_MEMBERSHIP_SQL,
  type LoginOutcome,
  type LoginResult,
  type TlsVerdict,
} from './pg-login.js';
import { jobManifest, jobName, CONTAINER_NAME } from './job-template.js';
import { redactText } from '../core/redact.js';

export const AURORA_MARKER = 'IRSA_CHECK_AURORA';
export const AUTHINFO_MARKER = 'IRSA_CHECK_AUTHINFO';
const TOKEN_DIR = '/irsa-check';
/** Where the init container leaves the token for the main container (a memory-backed volume). */
export const TOKEN_FILE = `${TOKEN_DIR}/token`;
/** Seconds psql and curl may take at most (also bounded by --request-timeout: dataPlaneSeconds). */
export const DATA_PLANE_CONNECT_SECONDS = 10;

/** The seconds one login or request of a Job may take: 10, or less when --request-timeout is shorter. */
export function dataPlaneSeconds(requestTimeoutMs: number): number {
  return Math.max(1, Math.min(DATA_PLANE_CONNECT_SECONDS, Math.ceil(requestTimeoutMs / 1000)));
}

/** Where the init container leaves the ARN `sts get-caller-identity` answered (the identity that made the token). */
export const CALLER_FILE = `${TOKEN_DIR}/caller`;

/**
 * Every container of a proof Job: the AWS SDKs and CLI must not fall back to the node's
 * instance role through IMDS when IRSA was not injected (AWS CLI and SDKs,
 * "AWS_EC2_METADATA_DISABLED"); the proof also reads which principal it ran as.
 */
export const PROOF_ENV = [{ name: 'AWS_EC2_METADATA_DISABLED', value: 'true' }] as const;

/** Where the init container says which tool its image lacks (`aws`), for the main container's marker. */
export const MISSING_FILE = `${TOKEN_DIR}/missing`;

/**
 * A tool the Job's image lacks: a wrong --job-image or --psql-image, told apart from a
 * database or domain that refuses, so it never reads as a data-plane FAIL.
 */
export type MissingTool = 'missing:aws' | 'missing:psql' | 'missing:curl-sigv4';
const MISSING_TOOLS = ['aws', 'psql', 'curl-sigv4'] as const;

export function isMissingTool(verdict: unknown): verdict is MissingTool {
  return MISSING_TOOLS.some((t) => verdict === `missing:${t}`);
}

/** Where the init container leaves the trust anchors (`IRSA_CHECK_DB_CA`) for psql. */
export const CA_FILE = `${TOKEN_DIR}/ca.pem`;
export const CA_ENV = 'IRSA_CHECK_DB_CA';

/**
 * Init container (AWS CLI image): the RDS IAM auth token from the pod's IRSA
 * credentials into a memory-backed volume, and the CAs the database's certificate must
 * chain to (from the environment) beside it. It never fails the pod: an empty token file
 * means "no credentials", which the main container reports in its marker line.
 * `$1` host, `$2` port, `$3` user, `$4` region, `$5` seconds for STS.
 */
export const AURORA_TOKEN_SCRIPT = [
  `umask 077`,
  `printf '%s\n' "$${CA_ENV}" > ${CA_FILE}`,
  `if ! command -v aws >/dev/null 2>&1; then : > ${TOKEN_FILE}; echo aws > ${MISSING_FILE}; exit 0; fi`,
  // Who makes the token: the proof is about the component's role, not whoever the pod ran as.
  `aws sts get-caller-identity --query Arn --output text --region "$4" --cli-connect-timeout "\${5:-${DATA_PLANE_CONNECT_SECONDS}}" --cli-read-timeout "\${5:-${DATA_PLANE_CONNECT_SECONDS}}" > ${CALLER_FILE} 2>/dev/null || : > ${CALLER_FILE}`,
  `aws rds generate-db-auth-token --hostname "$1" --port "$2" --username "$3" --region "$4" > ${TOKEN_FILE} 2>/dev/null || : > ${TOKEN_FILE}`,
  'exit 0',
].join('\n');

/**
 * Main container (psql): log in with TLS, ask about rds_iam, print one marker line.
 * `$1` host, `$2` port, `$3` database, `$4` user, `$5` SQL, `$6` seconds. The values reach
 * libpq as PG* environment variables, never inside a connection string it would parse. First
 * with sslmode=verify-full against the CA file; when the certificate does not verify (no
 * password is sent then), again with sslmode=require, as Camunda's JDBC URL logs in, and
 * `tls=unverified:<why>` says so. libpq's connect_timeout bounds the connection, `timeout`
 * (where the image has it) the whole psql run. A refusal's first line travels
 * base64-encoded; irsa-check sorts it (classifyLoginText, the table --direct uses too); the
 * outcome here only decides whether the refusal came after the TLS handshake. The caller ARN
 * the init container read travels with every verdict.
 */
export const AURORA_LOGIN_SCRIPT = [
  `if [ -s ${MISSING_FILE} ]; then echo "${AURORA_MARKER} outcome=missing-tool tool=$(cat ${MISSING_FILE})"; exit 0; fi`,
  `if ! command -v psql >/dev/null 2>&1; then echo "${AURORA_MARKER} outcome=missing-tool tool=psql"; exit 0; fi`,
  `caller=$(head -n 1 ${CALLER_FILE} 2>/dev/null | tr -d '\\r\\n' | base64 | tr -d '\n')`,
  `if [ ! -s ${TOKEN_FILE} ]; then echo "${AURORA_MARKER} outcome=no-credentials\${caller:+ caller=$caller}"; exit 0; fi`,
  'export PGHOST="$1" PGPORT="$2" PGDATABASE="$3" PGUSER="$4" PGAPPNAME=irsa-check',
  `sql=$5 secs=\${6:-${DATA_PLANE_CONNECT_SECONDS}} bound=`,
  'export PGCONNECT_TIMEOUT="$secs"',
  'if command -v timeout >/dev/null 2>&1; then bound="timeout $secs"; fi',
  `out=$(PGPASSWORD="$(cat ${TOKEN_FILE})" PGSSLMODE=verify-full PGSSLROOTCERT=${CA_FILE} $bound psql -XAtq -c "$sql" 2>&1)`,
  'rc=$?',
  'tls=verified',
  'if [ "$rc" -ne 0 ]; then',
  '  case "$out" in',
  '    *"certificate verify failed"*|*"does not match host name"*|*"root certificate"*|*"certificate has expired"*)',
  `      tls="unverified:$(printf '%s' "$out" | head -n 1 | base64 | tr -d '\n')"`,
  `      out=$(PGPASSWORD="$(cat ${TOKEN_FILE})" PGSSLMODE=require $bound psql -XAtq -c "$sql" 2>&1)`,
  '      rc=$? ;;',
  '  esac',
  'fi',
  `if [ "$rc" -eq 0 ]; then echo "${AURORA_MARKER} outcome=ok rds_iam=$out tls=$tls\${caller:+ caller=$caller}"; exit 0; fi`,
  // coreutils timeout exits 124, busybox's 143 (SIGTERM): no answer in time.
  'if [ "$rc" -eq 124 ] || [ "$rc" -eq 143 ]; then out="no answer within $secs s"; fi',
  'case "$out" in',
  // Refusals after the TLS handshake: the server spoke PostgreSQL over TLS.
  '  *"PAM authentication failed"*|*"password authentication failed"*|*"is not permitted to log in"*|*"no pg_hba.conf entry"*|*"pg_hba.conf rejects"*|*"host rejected"*) o=auth-failed ;;',
  // RDS Proxy's refusals after the TLS handshake (platform/pg-login.ts, LoginOutcome).
  '  *"IAM authentication failed for"*|*"has no credentials for the role"*|*"The password that was provided for the role"*) o=auth-failed ;;',
  '  *"database \\""*"\\" does not exist"*) o=no-database ;;',
  '  *"does not support SSL"*|*"SSL error"*|*"SSL SYSCALL"*) o=tls-refused ;;',
  '  *"Connection refused"*|*"timeout expired"*|*"no answer within"*|*"could not translate host name"*|*"No route to host"*|*"Network unreachable"*|*"Network is unreachable"*) o=unreachable ;;',
  '  *) o=error ;;',
  'esac',
  // Only a refusal after the handshake vouches for the certificate.
  'case "$o" in auth-failed|no-database) ;; *) if [ "$tls" = verified ]; then tls=; fi ;; esac',
  `echo "${AURORA_MARKER} outcome=$o\${tls:+ tls=$tls} detail=$(printf '%s' "$out" | head -n 1 | base64 | tr -d '\n')\${caller:+ caller=$caller}"`,
].join('\n');

/**
 * OpenSearch (AWS CLI image): the pod's IRSA credentials (export-credentials) sign a
 * GET of authinfo with curl's SigV4 (service `es`); keys go to curl on stdin (-K -),
 * never on its command line. `sts get-caller-identity` first says which principal signs.
 * `$1` base URL, `$2` region, `$3` seconds.
 */
export const AUTHINFO_SCRIPT = [
  `command -v aws >/dev/null 2>&1 || { echo "${AUTHINFO_MARKER} outcome=missing-tool tool=aws"; exit 0; }`,
  // --aws-sigv4 came with curl 7.75; `--help all` (7.73) lists it where it exists.
  `curl --help all 2>/dev/null | grep -q -e '--aws-sigv4' || { echo "${AUTHINFO_MARKER} outcome=missing-tool tool=curl-sigv4"; exit 0; }`,
  `creds=$(aws configure export-credentials --format env-no-export 2>/dev/null) || { echo "${AUTHINFO_MARKER} outcome=no-credentials"; exit 0; }`,
  'eval "$creds"',
  `caller=$(aws sts get-caller-identity --query Arn --output text --region "$2" --cli-connect-timeout "$3" --cli-read-timeout "$3" 2>/dev/null | head -n 1 | tr -d '\\r\\n' | base64 | tr -d '\\n')`,
  `resp=$(printf 'user = "%s:%s"\\nheader = "x-amz-security-token: %s"\\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN" | curl -sS -K - --connect-timeout "$3" --max-time "$3" --aws-sigv4 "aws:amz:$2:es" -w '\\n%{http_code}' "$1${AUTHINFO_PATH}" 2>&1)`,
  'rc=$?',
  `if [ "$rc" -ne 0 ]; then echo "${AUTHINFO_MARKER} outcome=unreachable detail=$(printf '%s' "$resp" | head -n 1 | base64 | tr -d '\\n')\${caller:+ caller=$caller}"; exit 0; fi`,
  'status=$(printf "%s" "$resp" | tail -n 1)',
  `echo "${AUTHINFO_MARKER} status=$status body=$(printf '%s' "$resp" | sed '$d' | base64 | tr -d '\\n')\${caller:+ caller=$caller}"`,
].join('\n');

export interface JobInput {
  namespace: string;
  component: string;
  serviceAccount: string;
  timeoutSeconds: number;
  /** Seconds one login, request or STS call may take (dataPlaneSeconds). */
  seconds?: number;
}

/** The proof env on every container of a Job (after the template's own). */
function withProofEnv(manifest: Record<string, unknown>): Record<string, unknown> {
  const pod = (manifest.spec as { template: { spec: Record<string, unknown> } }).template.spec;
  for (const c of [
    ...((pod.initContainers as Array<Record<string, unknown>>) ?? []),
    ...(pod.containers as Array<Record<string, unknown>>),
  ])
    c.env = [...((c.env as unknown[]) ?? []), ...PROOF_ENV.map((e) => ({ ...e }))];
  return manifest;
}

/** The Aurora login Job: AWS CLI init container for the token, psql for the login. */
export function auroraJob(
  opts: JobInput & {
    awsImage: string;
    psqlImage: string;
    /** PEM certificates the database's certificate must chain to (db/rds-trust.ts). */
    ca: readonly string[];
    host: string;
    port: number;
    database: string;
    user: string;
    region: string;
  },
): Record<string, unknown> {
  const seconds = opts.seconds ?? DATA_PLANE_CONNECT_SECONDS;
  const manifest = jobManifest({
    name: jobName('aurora', opts.component),
    namespace: opts.namespace,
    purpose: 'aurora',
    component: opts.component,
    serviceAccount: opts.serviceAccount,
    image: opts.psqlImage,
    command: [
      'sh',
      '-c',
      AURORA_LOGIN_SCRIPT,
      'irsa-check-aurora',
      opts.host,
      String(opts.port),
      opts.database,
      opts.user,
      RDS_IAM_MEMBERSHIP_SQL,
      String(seconds),
    ],
    activeDeadlineSeconds: opts.timeoutSeconds,
  });
  const pod = (manifest.spec as { template: { spec: Record<string, unknown> } }).template.spec;
  const main = (pod.containers as Array<Record<string, unknown>>)[0]!;
  const mount = { name: 'token', mountPath: TOKEN_DIR };
  main.volumeMounts = [{ ...mount, readOnly: true }];
  pod.initContainers = [
    {
      ...main,
      name: 'token',
      image: opts.awsImage,
      command: [
        'sh',
        '-c',
        AURORA_TOKEN_SCRIPT,
        'irsa-check-token',
        opts.host,
        String(opts.port),
        opts.user,
        opts.region,
        String(seconds),
      ],
      // Public certificates, not secrets; a few kilobytes for one Region.
      env: [...((main.env as unknown[]) ?? []), { name: CA_ENV, value: opts.ca.join('\n') }],
      volumeMounts: [mount],
    },
  ];
  // Memory-backed: the token never touches the node's disk.
  pod.volumes = [{ name: 'token', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }];
  return withProofEnv(manifest);
}

/** The OpenSearch role-mapping Job: a SigV4-signed authinfo GET from the AWS CLI image. */
export function authInfoJob(
  opts: JobInput & { awsImage: string; baseUrl: string; region: string },
): Record<string, unknown> {
  const manifest = jobManifest({
    name: jobName('authinfo', opts.component),
    namespace: opts.namespace,
    purpose: 'authinfo',
    component: opts.component,
    serviceAccount: opts.serviceAccount,
    image: opts.awsImage,
    command: [
      'bash',
      '-c',
      AUTHINFO_SCRIPT,
      'irsa-check-authinfo',
      opts.baseUrl,
      opts.region,
      String(opts.seconds ?? DATA_PLANE_CONNECT_SECONDS),
    ],
    activeDeadlineSeconds: opts.timeoutSeconds,
  });
  return withProofEnv(manifest);
}

export { CONTAINER_NAME };

/** What the Job's script says (its own coarse sort); the detail decides the outcome (classifyLoginText). */
const SCRIPT_OUTCOMES: readonly LoginOutcome[] = [
  'ok',
  'auth-failed',
  'no-database',
  'tls-refused',
  'unreachable',
  'error',
];

function decode(b64: string | undefined): string | undefined {
  if (!b64) return undefined;
  const text = Buffer.from(b64, 'base64').toString('utf8').trim();
  return text ? redactText(text.slice(0, 300)) : undefined;
}

/** An ARN as `sts get-caller-identity` prints it; anything else is no answer. */
function decodeCaller(b64: string | undefined): string | undefined {
  const text = b64 ? Buffer.from(b64, 'base64').toString('utf8').trim() : '';
  return /^arn:[a-z-]+:(sts|iam)::\d{12}:[!-~]+$/.test(text) ? text : undefined;
}

/** `<marker> outcome=missing-tool tool=<tool>`, for a tool irsa-check knows. */
function missingTool(marker: string, logs: string | undefined): MissingTool | undefined {
  const m = new RegExp(`^${marker} outcome=missing-tool tool=([a-z0-9-]+)$`, 'm').exec(logs ?? '');
  const tool = MISSING_TOOLS.find((t) => t === m?.[1]);
  return tool ? `missing:${tool}` : undefined;
}

const CALLER = '(?: caller=([A-Za-z0-9+/=]*))?';

/** The Aurora Job's verdict from its marker line; 'no-credentials' apart; undefined without a marker. */
export function parseAuroraMarker(
  logs: string | undefined,
): LoginResult | 'no-credentials' | MissingTool | undefined {
  const missing = missingTool(AURORA_MARKER, logs);
  if (missing) return missing;
  const m = new RegExp(
    `^${AURORA_MARKER} outcome=([a-z-]+)(?: rds_iam=([tf]))?(?: tls=(verified|unverified:[A-Za-z0-9+/=]*))?(?: detail=([A-Za-z0-9+/=]*))?${CALLER}$`,
    'm',
  ).exec(logs ?? '');
  if (!m) return undefined;
  if (m[1] === 'no-credentials') return 'no-credentials';
  const said = SCRIPT_OUTCOMES.includes(m[1] as LoginOutcome) ? (m[1] as LoginOutcome) : 'error';
  const detail = decode(m[4]);
  // psql's words decide, with the table --direct uses; the script's word where they say nothing.
  const byText = said !== 'ok' && detail ? classifyLoginText(detail) : 'error';
  const outcome = byText !== 'error' ? byText : said;
  const caller = decodeCaller(m[5]);
  // A Job of an older irsa-check (a recorded bundle) says nothing of TLS: no claim then.
  const tls: TlsVerdict | undefined =
    m[3] === undefined
      ? undefined
      : m[3] === 'verified'
        ? { verified: true }
        : { verified: false, reason: decode(m[3].slice('unverified:'.length)) ?? 'not verified' };
  return {
    outcome,
    ...(outcome === 'ok' ? { rdsIam: m[2] === 't' } : {}),
    ...(tls ? { tls } : {}),
    ...(detail ? { detail } : {}),
    ...(caller ? { caller } : {}),
  };
}

/** The authinfo Job's verdict from its marker line. */
export function parseAuthInfoMarker(
  logs: string | undefined,
): AuthInfoResult | 'no-credentials' | MissingTool | undefined {
  const missing = missingTool(AUTHINFO_MARKER, logs);
  if (missing) return missing;
  const text = logs ?? '';
  if (new RegExp(`^${AUTHINFO_MARKER} outcome=no-credentials$`, 'm').test(text)) return 'no-credentials';
  const down = new RegExp(
    `^${AUTHINFO_MARKER} outcome=unreachable detail=([A-Za-z0-9+/=]*)${CALLER}$`,
    'm',
  ).exec(text);
  if (down) {
    const caller = decodeCaller(down[2]);
    return {
      outcome: 'unreachable',
      backendRoles: [],
      roles: [],
      detail: decode(down[1]) ?? 'no answer',
      ...(caller ? { caller } : {}),
    };
  }
  const m = new RegExp(`^${AUTHINFO_MARKER} status=(\\d{3}) body=([A-Za-z0-9+/=]*)${CALLER}$`, 'm').exec(
    text,
  );
  if (!m) return undefined;
  const caller = decodeCaller(m[3]);
  const result = classifyAuthInfo(Number(m[1]), Buffer.from(m[2]!, 'base64').toString('utf8'));
  return caller ? { ...result, caller } : result;
}
