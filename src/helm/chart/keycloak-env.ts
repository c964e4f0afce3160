/**
 * The Keycloak subchart (Bitnami Keycloak 24.x, charts/keycloak-24/templates/statefulset.yaml) and
 * the routes by which a variable reaches the Keycloak container, in the order Kubernetes resolves
 * them: `extraEnvVars` (rendered last in `env`, so it wins), `extraStartupArgs` (rendered as
 * KEYCLOAK_EXTRA_ARGS), then `envFrom` — `extraEnvVarsSecret` after `extraEnvVarsCM`, so the Secret
 * wins; explicit `env` always beats `envFrom`. The database host and user go through `tpl`
 * (keycloak.databaseHost / keycloak.databaseUser) or come from `externalDatabase.existingSecret`
 * (existingSecretHostKey / existingSecretUserKey → KEYCLOAK_DATABASE_HOST/USER from a secretKeyRef).
 */
import { Values } from '../values.js';

const KC = 'identityKeycloak';

/** Where a variable's value comes from, as far as the values can tell. */
export type KeycloakEnvSource =
  | { value: string; key: string }
  /** Set from a Secret or ConfigMap whose content the values do not hold. */
  | { unread: string }
  | undefined;

export function keycloakEnv(values: Values, name: string): KeycloakEnvSource {
  const env = values.env(`${KC}.extraEnvVars`);
  if (env.has(name)) {
    const value = env.get(name);
    return value === undefined
      ? { unread: `${KC}.extraEnvVars ${name} (valueFrom)` }
      : { value, key: `${KC}.extraEnvVars ${name}` };
  }
  if (name === 'KEYCLOAK_EXTRA_ARGS') {
    const args = values.string(`${KC}.extraStartupArgs`);
    if (args) return { value: args, key: `${KC}.extraStartupArgs` };
  }
  const secret = values.string(`${KC}.extraEnvVarsSecret`);
  const cm = values.string(`${KC}.extraEnvVarsCM`);
  if (secret || cm) {
    // Named by the values keys: the redactor treats Secret names under secret-like keys as secret.
    const from = [
      ...(secret ? [`the Secret named in ${KC}.extraEnvVarsSecret`] : []),
      ...(cm ? [`the ConfigMap named in ${KC}.extraEnvVarsCM`] : []),
    ].join(' or ');
    return { unread: `${name}, if set, from ${from}` };
  }
  return undefined;
}

/** Sources of KEYCLOAK_* variables by envFrom, for saying why a variable may be set there. */
export function keycloakEnvFrom(values: Values): string[] {
  return [`${KC}.extraEnvVarsSecret`, `${KC}.extraEnvVarsCM`].filter((k) => values.string(k));
}

export type KeycloakDbField =
  | { value: string; key: string }
  | { secret: string; secretKey: string; key: string; secretNameKey: string }
  | { template: string; key: string }
  | undefined;

/**
 * Sprig `tpl` over the references a values file can make: `.Release.Name`, `.Release.Namespace`
 * and `.Values.<path>` (the subchart's values; `.Values.global.*` the shared globals). Anything
 * else stays unresolved (undefined).
 */
export function renderTpl(
  text: string,
  values: Values,
  release: { name: string; namespace: string },
): string | undefined {
  if (!text.includes('{{')) return text;
  let unresolved = false;
  const out = text.replace(/\{\{-?\s*([^}]*?)\s*-?\}\}/g, (_m, expr: string) => {
    if (expr === '.Release.Name') return release.name;
    if (expr === '.Release.Namespace') return release.namespace;
    const ref = /^\.Values\.([A-Za-z0-9_.]+)$/.exec(expr);
    if (ref) {
      const path = ref[1]!.startsWith('global.') ? ref[1]! : `${KC}.${ref[1]!}`;
      const v = values.string(path);
      if (v !== undefined) return v;
    }
    unresolved = true;
    return '';
  });
  return unresolved ? undefined : out;
}

function dbField(
  values: Values,
  field: 'host' | 'user',
  release: { name: string; namespace: string },
): KeycloakDbField {
  const base = `${KC}.externalDatabase`;
  const secretKey = values.string(`${base}.existingSecret${field === 'host' ? 'HostKey' : 'UserKey'}`);
  const secret = values.string(`${base}.existingSecret`);
  if (secretKey && secret)
    return {
      secret,
      secretKey,
      key: `${base}.existingSecret${field === 'host' ? 'HostKey' : 'UserKey'}`,
      secretNameKey: `${base}.existingSecret`,
    };
  const key = `${base}.${field}`;
  const raw = values.string(key);
  if (!raw) return undefined;
  const rendered = renderTpl(raw, values, release);
  return rendered === undefined ? { template: raw, key } : { value: rendered, key };
}

export function keycloakDbHost(
  values: Values,
  release: { name: string; namespace: string },
): KeycloakDbField {
  return dbField(values, 'host', release);
}

export function keycloakDbUser(
  values: Values,
  release: { name: string; namespace: string },
): KeycloakDbField {
  return dbField(values, 'user', release);
}
