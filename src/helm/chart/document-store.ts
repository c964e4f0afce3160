/**
 * The S3 document store (`global.documentStore.type.aws.*`, 8.7+), as the component templates
 * render it: which pods the chart wires to the store, and whether it injects static AWS keys.
 *
 * - 8.7 (chart 12): zeebe/statefulset.yaml, zeebe-gateway, operate, tasklist, connectors,
 *   execution-identity and web-modeler/deployment-restapi.yaml add AWS_ACCESS_KEY_ID and
 *   AWS_SECRET_ACCESS_KEY from `existingSecret` (keys `accessKeyIdKey`/`secretAccessKeyKey`) under
 *   `if and aws.enabled (not aws.irsa.enabled) aws.existingSecret`.
 * - 8.8 (chart 13): orchestration/statefulset.yaml (and importer-deployment.yaml while migrating),
 *   connectors, optimize and web-modeler restapi, under `if and aws.enabled (not aws.irsa.enabled)`;
 *   the values come from `camundaPlatform.emitAwsDocumentStoreSecret`: `accessKeyId.secret.*`
 *   (existingSecret + existingSecretKey, or inlineSecret), else the legacy existingSecret; with
 *   none of them the variables are rendered without a value.
 * - 8.9/8.10 (charts 14/15): the same pods, the `*.secret.*` keys only.
 * 8.6 (chart 11) has no AWS document store in its templates.
 */
import { Values } from '../values.js';
import type { ChartProfile } from './profiles.js';
import { componentEnabled } from './switches.js';
import { componentFullname } from './service-accounts.js';
import { chartSwitch, nonEmptyString, withSubcharts } from './template.js';

export const DOC_AWS = 'global.documentStore.type.aws';
export const DOC_ACTIVE = 'global.documentStore.activeStoreId';

export interface StorePod {
  component: string;
  /** The workload the pods belong to, e.g. camunda-zeebe, camunda-web-modeler-restapi. */
  workload: string;
}

export interface DocumentStoreAws {
  /** `aws.enabled`: the chart wires the pods to the S3 store. */
  enabled: boolean;
  /** activeStoreId is aws: the default store the applications use. */
  active: boolean;
  irsa: boolean;
  bucket?: string;
  region?: string;
  /** The enabled components the chart wires to the store, with their workloads. */
  pods: StorePod[];
  /** Set when the chart injects static keys into those pods: where their values come from. */
  staticKeys?: { source: string; keys: string[] };
}

const WIRED: Record<number, string[]> = {
  12: ['zeebe', 'zeebeGateway', 'operate', 'tasklist', 'connectors', 'executionIdentity', 'webModeler'],
  13: ['orchestration', 'connectors', 'optimize', 'webModeler'],
};

function wiredComponents(major: number): string[] {
  return WIRED[Math.min(major, 13)] ?? [];
}

/**
 * Where the chart takes AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from, named by the values key
 * (Secret names and inline values are read from keys the redactor treats as secret: never printed).
 */
function keySource(profile: ChartProfile, v: Values): { source: string; keys: string[] } {
  const legacy = nonEmptyString(v.get(`${DOC_AWS}.existingSecret`));
  if (profile.major <= 12) {
    return { source: `the Secret named in ${DOC_AWS}.existingSecret`, keys: [`${DOC_AWS}.existingSecret`] };
  }
  const secretKey = `${DOC_AWS}.accessKeyId.secret.existingSecret`;
  const inlineKey = `${DOC_AWS}.accessKeyId.secret.inlineSecret`;
  if (nonEmptyString(v.get(secretKey)))
    return { source: `the Secret named in ${secretKey}`, keys: [secretKey] };
  if (nonEmptyString(v.get(inlineKey))) return { source: `plain text in ${inlineKey}`, keys: [inlineKey] };
  if (profile.major === 13 && legacy)
    return { source: `the Secret named in ${DOC_AWS}.existingSecret`, keys: [`${DOC_AWS}.existingSecret`] };
  return { source: 'no value (the variables are rendered empty)', keys: [] };
}

/** The S3 document store as this chart renders it; undefined when the chart has none or it is off. */
export function documentStoreAws(
  profile: ChartProfile,
  values: Values,
  releaseName: string,
): DocumentStoreAws | undefined {
  if (profile.major < 12) return undefined;
  const v = withSubcharts(profile, values);
  const enabled = chartSwitch(profile, v.get(`${DOC_AWS}.enabled`)) ?? false;
  if (!enabled) return undefined;
  const irsa = chartSwitch(profile, v.get(`${DOC_AWS}.irsa.enabled`)) ?? false;
  const pods = wiredComponents(profile.major)
    .filter((key) => profile.components.some((c) => c.key === key))
    .filter((key) => componentEnabled(profile, values, key))
    .map((component) => {
      const base = componentFullname(profile, values, releaseName, component) ?? component;
      return { component, workload: component === 'webModeler' ? `${base}-restapi` : base };
    });
  // 8.7 injects the keys only when existingSecret is set (its default is "aws-credentials").
  const injects =
    !irsa && (profile.major > 12 || nonEmptyString(v.get(`${DOC_AWS}.existingSecret`)) !== undefined);
  const bucket = nonEmptyString(v.get(`${DOC_AWS}.bucket`));
  const region = nonEmptyString(v.get(`${DOC_AWS}.region`));
  return {
    enabled,
    active: (nonEmptyString(v.get(DOC_ACTIVE)) ?? '').toLowerCase() === 'aws',
    irsa,
    ...(bucket ? { bucket } : {}),
    ...(region ? { region } : {}),
    pods,
    ...(injects ? { staticKeys: keySource(profile, v) } : {}),
  };
}
