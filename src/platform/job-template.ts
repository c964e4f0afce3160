/**
 * The one template every verification Job is built from: a unique name, the
 * managed-by label (so an interrupted run's leftovers can be found), no retries,
 * a deadline, a TTL as a backstop for the delete irsa-check always sends, and a
 * security context that passes the `restricted` Pod Security level.
 *
 * Values from the Helm release (hosts, ports) reach the container as arguments,
 * never spliced into shell text.
 */
import { randomBytes } from 'node:crypto';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, RUN_LABEL } from '../ports/kube.js';

export type JobPurpose = 'identity' | 'tcp' | 'aurora' | 'authinfo';

/** Deleted by Kubernetes this long after finishing, should irsa-check's own delete never arrive. */
export const JOB_TTL_SECONDS = 600;
/** The probe's TCP connect gives up after this long (bounded by the Job's deadline). */
export const TCP_CONNECT_TIMEOUT_SECONDS = 5;
export const CONTAINER_NAME = 'probe';
/** A non-root UID/GID present in no image: nothing in the container runs as root. */
const RUN_AS = 65532;
const NAME_MAX = 63;
const RANDOM_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';

export const PURPOSE_LABEL = 'irsa-check/purpose';
export const COMPONENT_LABEL = 'irsa-check/component';
export { RUN_LABEL };
export const RUN_ID = randomSuffix(12);

/** The line the TCP probe prints; only an exact line counts, never the word "open" in other output. */
export const TCP_MARKER = 'IRSA_CHECK_TCP';
const TCP_MARKER_LINE = new RegExp(`^${TCP_MARKER}=(open|closed)$`, 'm');
const TCP_RC_LINE = new RegExp(`^${TCP_MARKER}_RC=(\\d+)$`, 'm');

/**
 * The TCP probe. `$1` host, `$2` port, `$3` seconds. The connect runs in a child
 * bash under `timeout`; its exit code alone decides the marker line. The script
 * itself exits 0 either way: the verdict is the marker, a non-zero exit means the
 * probe could not run (no bash or timeout in the image).
 */
export const TCP_PROBE_SCRIPT = [
  'command -v timeout >/dev/null || { echo "irsa-check: the image has no timeout command" >&2; exit 127; }',
  `if timeout "$3" bash -c 'exec 3<>"/dev/tcp/$1/$2"' irsa-check-connect "$1" "$2"; then`,
  `  echo ${TCP_MARKER}=open`,
  'else',
  '  rc=$?',
  `  echo ${TCP_MARKER}=closed`,
  `  echo "${TCP_MARKER}_RC=$rc"`,
  'fi',
].join('\n');

export const IDENTITY_COMMAND = ['aws', 'sts', 'get-caller-identity', '--output', 'json'];

function randomSuffix(length = 5): string {
  const bytes = randomBytes(length);
  let s = '';
  for (const b of bytes) s += RANDOM_CHARS[b % RANDOM_CHARS.length];
  return s;
}

/** `webModeler` → `webmodeler`; anything outside [a-z0-9-] becomes `-`. */
function dnsPart(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** `irsa-check-<purpose>-<component>-<random>`: a DNS-1123 label of at most 63 characters. */
export function jobName(purpose: JobPurpose, component: string, random = randomSuffix()): string {
  const head = `irsa-check-${purpose}-`;
  const tail = `-${random}`;
  const room = NAME_MAX - head.length - tail.length;
  const middle = dnsPart(component).slice(0, room).replace(/-+$/, '') || 'x';
  return `${head}${middle}${tail}`;
}

export interface JobTemplateInput {
  name: string;
  namespace: string;
  purpose: JobPurpose;
  /** The chart component (or `opensearch`) the Job verifies; a label value. */
  component: string;
  serviceAccount: string;
  image: string;
  /** argv of the container; values travel as arguments, not shell text. */
  command: string[];
  activeDeadlineSeconds: number;
}

/** The Job manifest. One template for every purpose: only name, labels, SA and command differ. */
export function jobManifest(input: JobTemplateInput): Record<string, unknown> {
  const labels = {
    [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
    'app.kubernetes.io/name': 'irsa-check',
    [PURPOSE_LABEL]: input.purpose,
    [COMPONENT_LABEL]: dnsPart(input.component).slice(0, 63) || 'x',
    [RUN_LABEL]: RUN_ID,
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: input.name, namespace: input.namespace, labels },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: input.activeDeadlineSeconds,
      ttlSecondsAfterFinished: JOB_TTL_SECONDS,
      template: {
        metadata: {
          labels,
          annotations: {
            // A mesh sidecar would keep the pod running after the probe exits.
            'sidecar.istio.io/inject': 'false',
            'linkerd.io/inject': 'disabled',
          },
        },
        spec: {
          serviceAccountName: input.serviceAccount,
          // The probe needs no Kubernetes API token; IRSA's web identity token is a separate volume.
          automountServiceAccountToken: false,
          restartPolicy: 'Never',
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          securityContext: {
            runAsNonRoot: true,
            runAsUser: RUN_AS,
            runAsGroup: RUN_AS,
            // Makes the projected web identity token readable by RUN_AS.
            fsGroup: RUN_AS,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: CONTAINER_NAME,
              image: input.image,
              command: input.command,
              env: [
                // The AWS CLI writes its caches under $HOME; RUN_AS has no home directory.
                { name: 'HOME', value: '/tmp' },
                { name: 'AWS_PAGER', value: '' },
              ],
              resources: {
                requests: { cpu: '50m', memory: '64Mi' },
                limits: { cpu: '500m', memory: '256Mi' },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ['ALL'] },
                runAsNonRoot: true,
                seccompProfile: { type: 'RuntimeDefault' },
              },
            },
          ],
        },
      },
    },
  };
}

/** The identity Job: `aws sts get-caller-identity` under the component's ServiceAccount. */
export function identityJob(opts: {
  namespace: string;
  component: string;
  serviceAccount: string;
  image: string;
  timeoutSeconds: number;
}): Record<string, unknown> {
  return jobManifest({
    name: jobName('identity', opts.component),
    namespace: opts.namespace,
    purpose: 'identity',
    component: opts.component,
    serviceAccount: opts.serviceAccount,
    image: opts.image,
    command: IDENTITY_COMMAND,
    activeDeadlineSeconds: opts.timeoutSeconds,
  });
}

/** The connectivity Job: a real TCP connect to host:port, bounded by `timeout`. */
export function tcpJob(opts: {
  namespace: string;
  component: string;
  serviceAccount: string;
  image: string;
  timeoutSeconds: number;
  host: string;
  port: number;
}): Record<string, unknown> {
  const connect = Math.max(1, Math.min(TCP_CONNECT_TIMEOUT_SECONDS, opts.timeoutSeconds - 1));
  return jobManifest({
    name: jobName('tcp', opts.component),
    namespace: opts.namespace,
    purpose: 'tcp',
    component: opts.component,
    serviceAccount: opts.serviceAccount,
    image: opts.image,
    command: [
      'bash',
      '-c',
      TCP_PROBE_SCRIPT,
      'irsa-check-tcp',
      opts.host,
      String(opts.port),
      String(connect),
    ],
    activeDeadlineSeconds: opts.timeoutSeconds,
  });
}

export interface TcpVerdict {
  state: 'open' | 'closed';
  /** The connect's exit code when closed: 124 = no answer before the timeout. */
  exitCode?: number;
}

/** The probe's verdict from its log: only the exact marker line counts. */
export function parseTcpProbe(logs: string | undefined): TcpVerdict | undefined {
  const m = TCP_MARKER_LINE.exec(logs ?? '');
  if (!m) return undefined;
  if (m[1] === 'open') return { state: 'open' };
  const rc = TCP_RC_LINE.exec(logs ?? '');
  return rc ? { state: 'closed', exitCode: Number(rc[1]) } : { state: 'closed' };
}

export function manifestName(manifest: Record<string, unknown>): string {
  return String((manifest.metadata as { name?: unknown } | undefined)?.name ?? '');
}

export function manifestContainer(manifest: Record<string, unknown>): string | undefined {
  const spec = manifest.spec as
    { template?: { spec?: { containers?: Array<{ name?: string }> } } } | undefined;
  return spec?.template?.spec?.containers?.[0]?.name;
}
