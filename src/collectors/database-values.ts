/**
 * Gathers what the database Helm settings check judges: the release's values over the chart's
 * defaults, the chart profile, the Keycloak mode and the pg list (facts the release module
 * provides, from a live release, a bundle or a values file alike), and the one thing the values
 * cannot answer: whether the cluster Service an external Keycloak's host names exists.
 *
 * That lookup is made exactly when the evaluator will judge it (`keycloakServiceToLookUp`, the
 * same pure function on both sides), so no call is made whose answer is not used. Its error is
 * captured as a value: without a cluster (values-only) the port answers NoClusterError, which the
 * evaluator reports as "skipped: needs the Kubernetes cluster", never OK and never FAIL.
 */
import type { ModuleContext } from '../engine/module.js';
import type { KeycloakMode } from '../engine/facts.js';
import type { HelmRelease } from '../helm/release.js';
import { componentEnabled, type ChartProfile } from '../helm/chart.js';
import { KEYCLOAK } from '../helm/database-keys.js';
import { Values } from '../helm/values.js';
import { isHostName, readPort } from '../db/jdbc.js';

export interface ServiceRef {
  name: string;
  namespace: string;
}

/** The cluster's answer about the external Keycloak's Service, or the error asking it. */
export type KeycloakServiceAnswer =
  { ref: ServiceRef; exists: boolean } | { ref: ServiceRef; error: unknown };

export interface DatabaseValuesInput {
  profile: ChartProfile;
  values: Values;
  keycloakMode: KeycloakMode;
  /** The pg components the run checks, as chart keys, in report order. */
  pgList: readonly string[];
  release: Pick<HelmRelease, 'name' | 'namespace'>;
  /** The namespace the run checks (the run scope): where a bare Service name resolves. */
  namespace: string;
  /** The components named with `-p` (as typed): naming identityKeycloak means a Keycloak is expected. */
  pgNamed: readonly string[];
  /** Values-only mode (`--values`): verdicts on unrendered `${VAR}` placeholders are dropped. */
  valuesMode: boolean;
  /** Set exactly when `keycloakServiceToLookUp` names a Service. */
  keycloakService?: KeycloakServiceAnswer;
}

/** `name`, or `name.namespace.svc[.cluster.local]`: a Service the cluster resolves; else undefined. */
export function serviceRef(host: string, namespace: string): ServiceRef | undefined {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (!h.includes('.')) return { name: h, namespace };
  const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?$/.exec(h);
  return m ? { name: m[1]!, namespace: m[2]! } : undefined;
}

/**
 * No subchart and no external URL. A chart that deploys Keycloak by default (8.5–8.7), or an
 * explicit `-p identityKeycloak`, means a Keycloak is expected: FAIL. Otherwise (8.8+, where
 * Keycloak is optional) the component simply is not used.
 */
export function keycloakExpected(profile: ChartProfile, values: Values, pgNamed: readonly string[]): boolean {
  const named = pgNamed.some((n) => n.toLowerCase().replace(/[^a-z]/g, '') === 'identitykeycloak');
  const byDefault = componentEnabled(profile, new Values(values.defaults, {}), KEYCLOAK.component);
  return named || byDefault;
}

/**
 * The Service the evaluator asks about: Keycloak is checked (in the pg list) as an external one,
 * its host and port are usable (the endpoint check passes) and the host is a cluster Service name.
 */
export function keycloakServiceToLookUp(
  input: Omit<DatabaseValuesInput, 'keycloakService'>,
): ServiceRef | undefined {
  const { pgList, keycloakMode, profile, values, pgNamed } = input;
  if (!pgList.includes(KEYCLOAK.component) || keycloakMode === 'subchart') return undefined;
  if (keycloakMode !== 'external' && !keycloakExpected(profile, values, pgNamed)) return undefined;
  const host = values.string(KEYCLOAK.urlHost);
  if (!host || !isHostName(host) || readPort(values.get(KEYCLOAK.urlPort)) === 'invalid') return undefined;
  return serviceRef(host, input.namespace);
}

export async function collectDatabaseValues(
  ctx: ModuleContext<'profile' | 'values' | 'keycloakMode' | 'pgList' | 'release', never, 'databases'>,
): Promise<DatabaseValuesInput> {
  const { profile, values, keycloakMode, pgList, release } = ctx.facts;
  const input: DatabaseValuesInput = {
    profile,
    values,
    keycloakMode,
    pgList,
    release: { name: release.name, namespace: release.namespace },
    namespace: ctx.scope.namespace,
    pgNamed: ctx.options.pg ?? [],
    valuesMode: ctx.options.values.length > 0,
  };
  const ref = keycloakServiceToLookUp(input);
  if (ref) {
    try {
      input.keycloakService = { ref, exists: Boolean(await ctx.kube.service(ref.namespace, ref.name)) };
    } catch (error) {
      input.keycloakService = { ref, error };
    }
  }
  return input;
}
