/**
 * Where a SARIF result is. GitHub code scanning rejects a result without a location ("expected
 * at least one location", github/codeql-action#2459), so every result gets one:
 * - a logical location, stable across runs: the IAM role, EKS cluster, Aurora cluster or
 *   OpenSearch domain ARN the check is about, else `kubernetes://<context>/<namespace>/<kind>/<name>`;
 * - a physical location: with --values, the values file and the line of the component's key (where
 *   the fix lands); else the same logical path as a relative placeholder file name.
 * Built from the run's facts (names the checks resolved), after redaction like every output.
 */
import { readFileSync } from 'node:fs';
import type { Facts } from '../engine/facts.js';
import type { Finding } from '../core/finding.js';

export interface SarifLocation {
  /** The thing the check is about: an ARN or a kubernetes:// reference. */
  logical: { fullyQualifiedName: string; kind: string };
  /** A file path (the values file, or a placeholder) and, for a values file, the line. */
  physical: { uri: string; line?: number };
}

export type Locate = (f: Finding) => SarifLocation;

/** Modules whose component findings are about the component's IAM role. */
const ROLE_MODULES = new Set(['roles', 'token', 'role-in-use', 'pod-identity']);

/** `key:` at the start of a line of a YAML document (top-level keys only). */
function topLevelLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  text.split('\n').forEach((line, i) => {
    const m = /^([A-Za-z0-9_.-]+)\s*:/.exec(line);
    if (m && !lines.has(m[1]!)) lines.set(m[1]!, i + 1);
  });
  return lines;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export interface LocateInput {
  facts: Partial<Facts>;
  namespace: string;
  context?: string;
  /** The first values file (--values), where a values-mode fix lands. */
  valuesFile?: string;
  redact: (s: string) => string;
}

export function locator({ facts, namespace, context, valuesFile, redact }: LocateInput): Locate {
  const ctx = context ?? 'current-context';
  const keyLines = valuesFile ? topLevelLines(readText(valuesFile) ?? '') : new Map<string, number>();
  const k8s = (ns: string, kind: string, name: string) =>
    ({ fullyQualifiedName: redact(`kubernetes://${ctx}/${ns}/${kind}/${name}`), kind: 'resource' }) as const;
  const arn = (value: string) => ({ fullyQualifiedName: redact(value), kind: 'resource' }) as const;

  const logical = (f: Finding): SarifLocation['logical'] => {
    const ns = (f.release ? undefined : namespace) || namespace || 'all-namespaces';
    if (f.component !== undefined) {
      const role = facts.roleArns?.get(f.component);
      if (role && ROLE_MODULES.has(f.module)) return arn(role);
      const aurora = facts.auroraClusters?.get(f.component)?.cluster.arn;
      if (aurora && f.module === 'aurora') return arn(aurora);
      const sa = facts.plan?.find((p) => p.key === f.component)?.serviceAccount.name;
      return sa ? k8s(ns, 'ServiceAccount', sa) : k8s(ns, 'component', f.component);
    }
    if ((f.module === 'cluster' || f.module === 'issuer-chain') && facts.cluster?.arn)
      return arn(facts.cluster.arn);
    if (f.module === 'opensearch' && facts.openSearchDomain?.domain.arn)
      return arn(facts.openSearchDomain.domain.arn);
    const release = f.release ?? facts.release?.name;
    return release ? k8s(ns, 'release', release) : k8s(ns, 'namespace', ns);
  };

  return (f) => {
    const where = logical(f);
    if (valuesFile) {
      const line = (f.component !== undefined ? keyLines.get(f.component) : undefined) ?? 1;
      return { logical: where, physical: { uri: valuesFile, line } };
    }
    // A placeholder path code scanning accepts: the logical reference without its scheme.
    const path = where.fullyQualifiedName.replace(/^[a-z]+:\/\//, '').replace(/:/g, '/');
    return { logical: where, physical: { uri: path } };
  };
}
