/**
 * README "Permissions", generated from what each call declares it needs (KUBE_PERMISSIONS in
 * src/ports/kube.ts, AWS_PERMISSIONS in src/ports/aws.ts, and the AWS queries the registered
 * modules declare): the RBAC rules and the IAM policy a user grants cannot drift from the calls
 * irsa-check makes. test/readme.test.ts keeps the README's block in sync (`UPDATE_FIXTURES=1`
 * rewrites it).
 */
import { ASSUME_ROLE_PERMISSION, AWS_PERMISSIONS } from '../ports/aws.js';
import { KUBE_PERMISSIONS, type KubeGrant } from '../ports/kube.js';
import type { CheckModule } from '../engine/module.js';

const VERB_ORDER = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

interface Rule {
  scope: 'cluster' | 'namespace';
  group?: string;
  nonResourceURLs?: readonly string[];
  resources: string[];
  verbs: string[];
  why?: string;
}

/** One rule per (scope, group, comment, verbs): resources with the same verbs share a rule. */
export function kubeRules(): Rule[] {
  const grants: KubeGrant[] = Object.values(KUBE_PERMISSIONS).flat();
  // resource → its verbs, per scope, group and comment.
  const verbsOf = new Map<string, { grant: KubeGrant; resource: string; verbs: Set<string> }>();
  const urls: Rule[] = [];
  for (const g of grants) {
    if ('nonResourceURLs' in g) {
      urls.push({
        scope: 'cluster',
        nonResourceURLs: g.nonResourceURLs,
        resources: [],
        verbs: [...g.verbs],
        why: g.why,
      });
      continue;
    }
    for (const resource of g.resources) {
      const key = JSON.stringify([g.scope, g.group, resource, g.why ?? '']);
      const entry = verbsOf.get(key) ?? { grant: g, resource, verbs: new Set<string>() };
      g.verbs.forEach((v) => entry.verbs.add(v));
      verbsOf.set(key, entry);
    }
  }
  const rules = new Map<string, Rule>();
  for (const { grant, resource, verbs } of verbsOf.values()) {
    if ('nonResourceURLs' in grant) continue;
    const sorted = [...verbs].sort((a, b) => VERB_ORDER.indexOf(a) - VERB_ORDER.indexOf(b));
    const key = JSON.stringify([grant.scope, grant.group, grant.why ?? '', sorted]);
    const rule = rules.get(key) ?? {
      scope: grant.scope,
      group: grant.group,
      resources: [],
      verbs: sorted,
      ...(grant.why !== undefined ? { why: grant.why } : {}),
    };
    rule.resources.push(resource);
    rules.set(key, rule);
  }
  return [...rules.values(), ...urls];
}

function yamlRules(rules: Rule[]): string[] {
  const lines = rules.map((r) => {
    const first = r.nonResourceURLs
      ? `  - nonResourceURLs: [${r.nonResourceURLs.join(', ')}]`
      : `  - apiGroups: [${r.group === '' ? '""' : r.group}]`;
    const second = r.nonResourceURLs ? undefined : `    resources: [${r.resources.join(', ')}]`;
    return { first, second, verbs: `    verbs: [${r.verbs.join(', ')}]`, why: r.why };
  });
  // Comments line up one column after the longest commented line.
  const width = Math.max(0, ...lines.filter((l) => l.why).map((l) => (l.second ?? l.first).length)) + 2;
  return lines.flatMap((l) => {
    const commented = (text: string) => (l.why ? `${text.padEnd(width)}# ${l.why}` : text);
    return l.second === undefined ? [commented(l.first), l.verbs] : [l.first, commented(l.second), l.verbs];
  });
}

/**
 * The IAM actions irsa-check's own identity needs, in declaration order: the Aws port's methods,
 * then the queries of `modules` (the registry, src/checks/index.ts), in registry order.
 */
export function awsActions(modules: readonly Pick<CheckModule, 'queries'>[]): string[] {
  return [
    ...new Set([
      ...Object.values(AWS_PERMISSIONS).flatMap((n) => n.actions),
      ...modules.flatMap((m) => m.queries.flatMap((q) => q.actions)),
    ]),
  ];
}

/** The generated part of README "Permissions": the RBAC manifests and the IAM policy of `modules`' calls. */
export function permissionsBlock(modules: readonly Pick<CheckModule, 'queries'>[]): string {
  const rules = kubeRules();
  const policy = {
    Version: '2012-10-17',
    Statement: [{ Sid: 'IrsaCheckReadOnly', Effect: 'Allow', Action: awsActions(modules), Resource: '*' }],
  };
  return [
    'Kubernetes (bind the Role in the Camunda namespace; nodes, namespaces, webhooks and discovery need the',
    'cluster-scoped part; `-A` lists the Helm release storage in every namespace, so it needs that rule',
    'cluster-wide):',
    '',
    '```yaml',
    'apiVersion: rbac.authorization.k8s.io/v1',
    'kind: ClusterRole',
    'metadata:',
    '  name: irsa-check',
    'rules:',
    ...yamlRules(rules.filter((r) => r.scope === 'cluster')),
    '---',
    'apiVersion: rbac.authorization.k8s.io/v1',
    'kind: Role',
    'metadata:',
    '  name: irsa-check',
    '  namespace: camunda',
    'rules:',
    ...yamlRules(rules.filter((r) => r.scope === 'namespace')),
    '```',
    '',
    'AWS (the identity irsa-check runs as):',
    '',
    '```json',
    JSON.stringify(policy, null, 2),
    '```',
    '',
    `With \`--assume-role\`, also \`${ASSUME_ROLE_PERMISSION}\` on each role it names: the calls in that account are made as that role.`,
  ].join('\n');
}
