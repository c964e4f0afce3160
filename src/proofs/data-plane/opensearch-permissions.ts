/**
 * Do the OpenSearch roles an IAM role maps to grant what a Camunda component needs? A pure
 * evaluator over OpenSearch security role definitions (`GET _plugins/_security/api/roles/<name>`:
 * cluster_permissions, index_permissions[].index_patterns / allowed_actions).
 *
 * What Camunda needs: the cluster action groups `cluster_composite_ops` (bulk, aliases, multi
 * get/search, scroll) and `cluster_monitor` (health, version, node info at start-up), and `crud`
 * and `create_index` on the index prefixes it writes (`read` on those it only reads).
 *
 * Action groups expand as the security plugin's static action groups define them
 * (opensearch-project/security, src/main/resources/static_config/static_action_groups.yml); a
 * grant covers a required action when it is the same action or a `*` pattern whose prefix it
 * starts with. Built-in roles are known from the plugin's static roles
 * (static_config/static_roles.yml): `all_access` grants everything, `readall` and
 * `readall_and_monitor` read only. Anything irsa-check cannot expand (an unknown action group,
 * a regular-expression or `${attr}` index pattern) covers nothing: never a false OK.
 */

/** One OpenSearch security role, as the REST API answers it. */
export interface SecurityRole {
  cluster_permissions?: string[];
  index_permissions?: Array<{ index_patterns?: string[]; allowed_actions?: string[] }>;
}

const READ = ['indices:data/read*', 'indices:admin/mappings/fields/get*', 'indices:admin/resolve/index'];
const INDEX = [
  'indices:data/write/index*',
  'indices:data/write/update*',
  'indices:admin/mapping/put',
  'indices:data/write/bulk*',
];
const DELETE = ['indices:data/write/delete*'];
const COMPOSITE_RO = [
  'indices:data/read/mget',
  'indices:data/read/msearch',
  'indices:data/read/mtv',
  'indices:admin/aliases/exists*',
  'indices:admin/aliases/get*',
  'indices:data/read/scroll',
  'indices:admin/resolve/index',
];

/** static_action_groups.yml, the groups a Camunda role is built from. */
const ACTION_GROUPS: Record<string, string[]> = {
  unlimited: ['*'],
  cluster_all: ['cluster:*'],
  cluster_monitor: ['cluster:monitor/*'],
  cluster_composite_ops_ro: COMPOSITE_RO,
  cluster_composite_ops: [
    'indices:data/write/bulk',
    'indices:admin/aliases*',
    'indices:data/write/reindex',
    ...COMPOSITE_RO,
  ],
  indices_all: ['indices:*'],
  read: READ,
  search: ['indices:data/read/search*', 'indices:data/read/msearch*', 'indices:data/read/suggest*'],
  get: ['indices:data/read/get*', 'indices:data/read/mget*'],
  write: ['indices:data/write*', 'indices:admin/mapping/put'],
  index: INDEX,
  delete: DELETE,
  crud: [...READ, ...INDEX, ...DELETE],
  data_access: ['indices:data/*', ...READ, ...INDEX, ...DELETE],
  create_index: ['indices:admin/create', 'indices:admin/mapping/put'],
  manage: ['indices:monitor/*', 'indices:admin/*'],
  indices_monitor: ['indices:monitor/*'],
};

/** static_roles.yml: the built-in roles irsa-check knows without asking. */
export const BUILT_IN_ROLES: Record<string, SecurityRole> = {
  all_access: {
    cluster_permissions: ['*'],
    index_permissions: [{ index_patterns: ['*'], allowed_actions: ['*'] }],
  },
  readall: {
    cluster_permissions: ['cluster_composite_ops_ro'],
    index_permissions: [{ index_patterns: ['*'], allowed_actions: ['read'] }],
  },
  readall_and_monitor: {
    cluster_permissions: ['cluster_monitor', 'cluster_composite_ops_ro'],
    index_permissions: [{ index_patterns: ['*'], allowed_actions: ['read', 'indices_monitor'] }],
  },
};

export interface IndexNeed {
  pattern: string;
  groups: readonly string[];
}

export interface CamundaNeeds {
  cluster: readonly string[];
  indices: readonly IndexNeed[];
}

export function camundaNeeds(write: readonly string[], read: readonly string[]): CamundaNeeds {
  return {
    cluster: ['cluster_composite_ops', 'cluster_monitor'],
    indices: [
      ...write.map((pattern) => ({ pattern, groups: ['crud', 'create_index'] })),
      ...read.map((pattern) => ({ pattern, groups: ['read'] })),
    ],
  };
}

/** A grant (action or group name) → the action patterns it stands for; [] when unknown. */
function expand(grant: string): string[] {
  if (grant in ACTION_GROUPS)
    return ACTION_GROUPS[grant]!.flatMap((g) => (g in ACTION_GROUPS ? expand(g) : [g]));
  // Plain actions name a type and a path (`cluster:monitor/health`, `indices:data/*`), or are `*`.
  return grant === '*' || /^[a-z_]+:[^\s]*$/.test(grant) ? [grant] : [];
}

function covers(granted: string, required: string): boolean {
  if (granted === required) return true;
  return granted.endsWith('*') && required.startsWith(granted.slice(0, -1));
}

/** Whether the grants cover every action of the required group. */
function grantsGroup(grants: readonly string[], group: string): boolean {
  const have = grants.flatMap(expand);
  return expand(group).every((req) => have.some((g) => covers(g, req)));
}

/** Whether an index pattern of a role reaches every index of a required `prefix*` pattern. */
function patternCovers(granted: string, required: string): boolean {
  // A regular expression (/…/) or an attribute substitution (${…}) cannot be judged here.
  if (granted.startsWith('/') || granted.includes('${')) return false;
  return covers(granted, required);
}

export interface Shortfall {
  /** Cluster action groups no role grants. */
  cluster: string[];
  /** Index pattern → the groups no role grants on it. */
  indices: Array<{ pattern: string; groups: string[] }>;
  /** Whether some role lets the component write to some index at all. */
  writesAnywhere: boolean;
}

/** What the roles together leave out of the needs; empty lists when they grant all. */
export function shortfall(roles: readonly SecurityRole[], needs: CamundaNeeds): Shortfall {
  const cluster = roles.flatMap((r) => r.cluster_permissions ?? []);
  const perms = roles.flatMap((r) => r.index_permissions ?? []);
  const onPattern = (pattern: string) =>
    perms
      .filter((p) => (p.index_patterns ?? []).some((g) => patternCovers(g, pattern)))
      .flatMap((p) => p.allowed_actions ?? []);
  return {
    cluster: needs.cluster.filter((g) => !grantsGroup(cluster, g)),
    indices: needs.indices
      .map(({ pattern, groups }) => ({
        pattern,
        groups: groups.filter((g) => !grantsGroup(onPattern(pattern), g)),
      }))
      .filter((n) => n.groups.length > 0),
    writesAnywhere: perms.some((p) => grantsGroup(p.allowed_actions ?? [], 'index')),
  };
}

export function isSufficient(s: Shortfall): boolean {
  return s.cluster.length === 0 && s.indices.length === 0;
}

/** `cluster_monitor; crud, create_index on zeebe-record*` */
export function describeShortfall(s: Shortfall): string {
  return [
    ...(s.cluster.length ? [s.cluster.join(', ')] : []),
    ...s.indices.map((i) => `${i.groups.join(', ')} on ${i.pattern}`),
  ].join('; ');
}

/** A role definition from the REST API's answer `{ "<name>": { … } }`; undefined when it is not one. */
export function parseSecurityRole(name: string, body: string): SecurityRole | undefined {
  try {
    const doc = JSON.parse(body) as Record<string, unknown>;
    const role = doc[name] as SecurityRole | undefined;
    if (!role || typeof role !== 'object') return undefined;
    const strings = (v: unknown) =>
      Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    return {
      cluster_permissions: strings(role.cluster_permissions),
      index_permissions: (Array.isArray(role.index_permissions) ? role.index_permissions : []).map((p) => ({
        index_patterns: strings(p?.index_patterns),
        allowed_actions: strings(p?.allowed_actions),
      })),
    };
  } catch {
    return undefined;
  }
}

/**
 * One role mapping, as `GET _plugins/_security/api/rolesmapping/<role>` answers it (OpenSearch
 * docs, Security APIs, "Get Role Mappings API" and "Create or Update Role Mapping API"): `users`
 * and `backend_roles` give the role to a user with any of them, `and_backend_roles` to a user with
 * all of them, `hosts` to requests from those addresses. Users, backend roles and hosts may be
 * wildcard patterns (`*`, `?`).
 */
export interface RoleMapping {
  users: string[];
  backend_roles: string[];
  and_backend_roles: string[];
  hosts: string[];
}

/** A mapping from the REST API's answer `{ "<name>": { … } }`; undefined when it is not one. */
export function parseRoleMapping(name: string, body: string): RoleMapping | undefined {
  try {
    const doc = JSON.parse(body) as Record<string, unknown>;
    const m = doc[name] as Record<string, unknown> | undefined;
    if (!m || typeof m !== 'object') return undefined;
    const strings = (v: unknown) =>
      Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    return {
      users: strings(m.users),
      backend_roles: strings(m.backend_roles),
      and_backend_roles: strings(m.and_backend_roles),
      hosts: strings(m.hosts),
    };
  } catch {
    return undefined;
  }
}

/** The security plugin's wildcard match (`*` any run, `?` one character); a `/regex/` is not judged. */
function wildcardMatches(pattern: string, value: string): boolean {
  if (pattern.startsWith('/') && pattern.endsWith('/')) return false;
  const re = new RegExp(
    `^${pattern
      .split('')
      .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('')}$`,
  );
  return re.test(value);
}

const isPattern = (s: string) => /[*?]/.test(s) || (s.startsWith('/') && s.endsWith('/'));

/**
 * How a mapping gives its role to the principal OpenSearch authenticated (authinfo's user_name and
 * backend_roles): by its backend role (the IAM role ARN, as Amazon OpenSearch Service maps IAM
 * roles), by its user name, by a pattern that matches it (and any other principal it matches), or
 * by hosts; undefined when the mapping names none of them (it came from elsewhere, e.g. the
 * roles_mapping of another backend).
 */
export function howMapped(
  mapping: RoleMapping,
  user: string | undefined,
  backendRoles: readonly string[],
): string | undefined {
  const exactBackend = mapping.backend_roles.find((b) => !isPattern(b) && backendRoles.includes(b));
  if (exactBackend !== undefined) return 'by backend role';
  if (user && mapping.users.some((u) => !isPattern(u) && u === user)) return 'by user name';
  if (
    mapping.and_backend_roles.length > 0 &&
    mapping.and_backend_roles.every((b) => backendRoles.some((r) => wildcardMatches(b, r)))
  )
    return 'by all of its backend roles';
  const backendPattern = mapping.backend_roles.find(
    (b) => isPattern(b) && backendRoles.some((r) => wildcardMatches(b, r)),
  );
  if (backendPattern !== undefined)
    return `by the backend-role pattern "${backendPattern}", which any matching principal gets too`;
  const userPattern = user ? mapping.users.find((u) => isPattern(u) && wildcardMatches(u, user)) : undefined;
  if (userPattern !== undefined)
    return `by the user pattern "${userPattern}", which any matching principal gets too`;
  if (mapping.hosts.length > 0) return `by hosts ${mapping.hosts.join(', ')}, whoever signs`;
  return undefined;
}
