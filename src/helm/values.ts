/**
 * Helm values resolution: chart defaults deep-merged with user values, the way
 * Helm coalesces them. User values win; an explicit `false` beats a `true`
 * default; a user `null` deletes the default.
 */

export type ValueSource = 'user' | 'default';
type Tree = Record<string, unknown>;

export function isPlainObject(v: unknown): v is Tree {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Helm's coalesce: maps merge recursively, anything else (lists included) is replaced; null deletes. */
export function coalesce(defaults: unknown, user: unknown): unknown {
  if (!isPlainObject(defaults) || !isPlainObject(user)) return user === undefined ? defaults : user;
  const out: Tree = { ...defaults };
  for (const [key, value] of Object.entries(user)) {
    if (value === null) delete out[key];
    else out[key] = coalesce(defaults[key], value);
  }
  return out;
}

function splitPath(path: string | readonly string[]): readonly string[] {
  return typeof path === 'string' ? path.split('.') : path;
}

function lookup(tree: unknown, path: readonly string[]): { found: boolean; value: unknown } {
  let node: unknown = tree;
  for (const key of path) {
    if (!isPlainObject(node) || !(key in node)) return { found: false, value: undefined };
    node = node[key];
  }
  return { found: true, value: node };
}

export class Values {
  readonly merged: Tree;

  /** Layers from lowest to highest precedence: e.g. sub-chart defaults, chart defaults, user values. */
  constructor(
    readonly defaults: Tree,
    readonly user: Tree,
  ) {
    const merged = coalesce(defaults, user);
    this.merged = isPlainObject(merged) ? merged : {};
  }

  /** The effective value at a dotted path (`identity.externalDatabase.host`), or undefined. */
  get(path: string | readonly string[]): unknown {
    return lookup(this.merged, splitPath(path)).value;
  }

  /** Whether the key is present after merging (a `null` user value removed it). */
  has(path: string | readonly string[]): boolean {
    return lookup(this.merged, splitPath(path)).found;
  }

  /** Which layer answered: the user's values or the chart defaults. */
  source(path: string | readonly string[]): ValueSource | undefined {
    const parts = splitPath(path);
    if (!lookup(this.merged, parts).found) return undefined;
    return lookup(this.user, parts).found ? 'user' : 'default';
  }

  string(path: string | readonly string[]): string | undefined {
    const v = this.get(path);
    if (v === undefined || v === null || v === '') return undefined;
    return typeof v === 'string' ? v : String(v);
  }

  /** Booleans as Helm templates see them; the strings "true"/"false" too (set via --set-string). */
  bool(path: string | readonly string[]): boolean | undefined {
    const v = this.get(path);
    if (typeof v === 'boolean') return v;
    if (v === 'true') return true;
    if (v === 'false') return false;
    return undefined;
  }

  /** An env list (`[{name, value}]`) at `path`, as a name → value map. */
  env(path: string | readonly string[]): Map<string, string | undefined> {
    const list = this.get(path);
    const env = new Map<string, string | undefined>();
    if (!Array.isArray(list)) return env;
    for (const item of list) {
      if (isPlainObject(item) && typeof item.name === 'string') {
        env.set(item.name, item.value === undefined || item.value === null ? undefined : String(item.value));
      }
    }
    return env;
  }

  /** The values with `extra` merged under them as the lowest layer (sub-chart defaults). */
  withBaseDefaults(extra: Tree): Values {
    const defaults = coalesce(extra, this.defaults);
    return new Values(isPlainObject(defaults) ? defaults : {}, this.user);
  }
}
