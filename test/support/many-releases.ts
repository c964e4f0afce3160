/**
 * A world with many Camunda releases for `-A` tests and the `-A` benchmark: the healthy 8.8
 * release copied `releases` times over `namespaces` namespaces (round robin), release i named
 * `r<i>` with its own ServiceAccounts and pods (`camunda-zeebe` → `r3-zeebe`), all sharing the
 * same IAM roles (a role is fetched once for every release), whose trust policies admit every
 * such release (`trustEveryRelease`): a healthy fleet.
 */
import { cloneWorld, type WorldModel } from './world.js';

export function namespaceOf(i: number, namespaces: number): string {
  return `camunda-${String(i % namespaces).padStart(3, '0')}`;
}

export function manyReleases(base: WorldModel, releases: number, namespaces = releases): WorldModel {
  const world = cloneWorld(base);
  const release = world.kube.releases![0]!;
  const sas = world.kube.serviceAccounts ?? [];
  const pods = world.kube.pods ?? [];
  const rename = (name: string, to: string) => name.replace(new RegExp(`^${release.name}(?=-|$)`), to);
  world.kube.releases = [];
  world.kube.serviceAccounts = [];
  world.kube.pods = [];
  world.kube.namespaces = Array.from({ length: Math.min(releases, namespaces) }, (_, i) =>
    namespaceOf(i, namespaces),
  );
  for (let i = 0; i < releases; i++) {
    const namespace = namespaceOf(i, namespaces);
    const name = `r${i}`;
    world.kube.releases.push({ ...release, name, namespace });
    world.kube.serviceAccounts.push(...sas.map((sa) => ({ ...sa, namespace, name: rename(sa.name, name) })));
    world.kube.pods.push(
      ...pods.map((p) => ({
        ...p,
        namespace,
        name: rename(p.name, name),
        ...(p.serviceAccountName ? { serviceAccountName: rename(p.serviceAccountName, name) } : {}),
        labels: Object.fromEntries(
          Object.entries(p.labels ?? {}).map(([k, v]) => [k, k === 'app.kubernetes.io/instance' ? name : v]),
        ),
      })),
    );
  }
  return world;
}

/**
 * The roles' trust policies widened from `system:serviceaccount:camunda:camunda-<x>` to
 * `system:serviceaccount:camunda-*:r*-<x>` (StringLike), so every release `manyReleases` makes
 * is trusted. Seed moto with this world, then lay out the releases.
 */
export function trustEveryRelease(base: WorldModel): WorldModel {
  const world = cloneWorld(base);
  for (const role of world.aws.roles ?? []) {
    const policy = role.trustPolicy as {
      Statement?: Array<{ Condition?: Record<string, Record<string, unknown>> }>;
    };
    for (const st of policy.Statement ?? []) {
      const cond = st.Condition ?? {};
      for (const op of ['StringEquals', 'StringLike']) {
        for (const [key, value] of Object.entries(cond[op] ?? {})) {
          if (!key.endsWith(':sub') || typeof value !== 'string') continue;
          delete cond[op]![key];
          if (Object.keys(cond[op]!).length === 0) delete cond[op];
          cond.StringLike = {
            ...cond.StringLike,
            [key]: value.replace(
              /^system:serviceaccount:camunda:camunda-/,
              'system:serviceaccount:camunda-*:r*-',
            ),
          };
        }
      }
    }
  }
  return world;
}
