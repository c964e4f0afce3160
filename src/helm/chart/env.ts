/**
 * Every place in the values where the chart copies environment variables into a component's
 * containers, as the templates read them (camunda-platform-8.x templates/<component>/deployment.yaml,
 * statefulset.yaml: `.Values.<c>.env`, `.envFrom`, `.initContainers`, `.sidecars`, and the
 * sub-workloads `restapi`, `webapp`, `websockets`, `importer`, `migration`; Bitnami Keycloak's
 * `extraEnvVars`; 8.10's `camundaHub.restapi.env`). Values-only mode reads static AWS keys from here.
 *
 * Also, as the templates read them: the deprecated `extraInitContainers`, which the chart renders only
 * when `initContainers` is empty (`coalesce .Values.<c>.initContainers .Values.<c>.extraInitContainers`:
 * zeebe/statefulset.yaml and zeebe-gateway/deployment.yaml up to 8.7, orchestration/statefulset.yaml and
 * importer-deployment.yaml from 8.8); and Bitnami Keycloak's `extraEnvVarsCM` / `extraEnvVarsSecret`, the
 * names of a ConfigMap and a Secret the statefulset reads with envFrom (keycloak chart,
 * templates/statefulset.yaml).
 */
import { isPlainObject, type Values } from '../values.js';

/** Sub-workloads whose containers have their own env list. */
const SUBS = ['', 'restapi', 'webapp', 'websockets', 'importer', 'migration'];
const ENV_LISTS = ['env', 'extraEnv', 'extraEnvVars'];
const CONTAINER_LISTS = ['initContainers', 'sidecars', 'extraContainers'];
/** The component whose values are a Bitnami Keycloak chart's (extraEnvVarsCM / extraEnvVarsSecret). */
const BITNAMI_KEYCLOAK = 'identityKeycloak';

export interface EnvEntry {
  /** Values path of the list the variable sits in (`orchestration.sidecars[0].env`). */
  path: string;
  name: string;
}

export interface EnvFromRef {
  path: string;
  kind: 'Secret' | 'ConfigMap';
  name: string;
}

const nonEmptyList = (v: unknown): boolean => Array.isArray(v) && v.length > 0;

function entries(list: unknown, path: string): EnvEntry[] {
  if (!Array.isArray(list)) return [];
  return list
    .filter((i): i is Record<string, unknown> => isPlainObject(i) && typeof i.name === 'string')
    .map((i) => ({ path, name: i.name as string }));
}

function refs(list: unknown, path: string): EnvFromRef[] {
  if (!Array.isArray(list)) return [];
  const out: EnvFromRef[] = [];
  for (const item of list) {
    if (!isPlainObject(item)) continue;
    for (const [field, kind] of [
      ['secretRef', 'Secret'],
      ['configMapRef', 'ConfigMap'],
    ] as const) {
      const ref = item[field];
      if (isPlainObject(ref) && typeof ref.name === 'string') out.push({ path, kind, name: ref.name });
    }
  }
  return out;
}

/** The values roots of a component: its key, and for 8.10's Web Modeler the camundaHub overlay. */
function roots(componentKey: string, values: Values): string[] {
  return componentKey === 'webModeler' && values.has('camundaHub')
    ? [componentKey, 'camundaHub']
    : [componentKey];
}

/** Every env variable name (and envFrom source) the values give the component's containers. */
export function valuesEnv(values: Values, componentKey: string): { env: EnvEntry[]; envFrom: EnvFromRef[] } {
  const env: EnvEntry[] = [];
  const envFrom: EnvFromRef[] = [];
  for (const root of roots(componentKey, values)) {
    for (const sub of SUBS) {
      const base = sub ? `${root}.${sub}` : root;
      for (const list of ENV_LISTS) env.push(...entries(values.get(`${base}.${list}`), `${base}.${list}`));
      envFrom.push(...refs(values.get(`${base}.envFrom`), `${base}.envFrom`));
      const lists = [...CONTAINER_LISTS];
      // coalesce: an empty (or absent) initContainers hands over to extraInitContainers.
      if (!nonEmptyList(values.get(`${base}.initContainers`))) lists.push('extraInitContainers');
      for (const kind of lists) {
        const containers = values.get(`${base}.${kind}`);
        if (!Array.isArray(containers)) continue;
        containers.forEach((ct, i) => {
          if (!isPlainObject(ct)) return;
          env.push(...entries(ct.env, `${base}.${kind}[${i}].env`));
          envFrom.push(...refs(ct.envFrom, `${base}.${kind}[${i}].envFrom`));
        });
      }
    }
    if (root === BITNAMI_KEYCLOAK) {
      for (const [key, kind] of [
        ['extraEnvVarsCM', 'ConfigMap'],
        ['extraEnvVarsSecret', 'Secret'],
      ] as const) {
        const name = values.get(`${root}.${key}`);
        if (typeof name === 'string' && name.trim() !== '')
          envFrom.push({ path: `${root}.${key}`, kind, name: name.trim() });
      }
    }
  }
  return { env, envFrom };
}
