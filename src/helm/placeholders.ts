/**
 * Unrendered placeholders in values-only mode: `${DB_HOST}` as Camunda's reference values carry
 * them before `envsubst` (camunda-deployment-references, procedure/export-helm-values.sh). Such a
 * value is not what will be deployed, so it gets one finding naming the placeholder and where it
 * sits, and the checks do not judge it: no OK and no FAIL on a field that holds one.
 */
import type { Reporter } from '../core/reporter.js';
import { isPlainObject } from './values.js';

/** `${NAME}`, the form envsubst (and most templating) replaces. */
const PLACEHOLDER = /\$\{[A-Za-z_][A-Za-z0-9_]*\}/g;

export function hasPlaceholder(v: unknown): boolean {
  return typeof v === 'string' && new RegExp(PLACEHOLDER.source).test(v);
}

/** Every placeholder in a values tree → the dotted paths that hold it, in document order. */
export function findPlaceholders(tree: unknown): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const walk = (node: unknown, path: string): void => {
    if (typeof node === 'string') {
      for (const m of node.match(PLACEHOLDER) ?? []) {
        const paths = found.get(m) ?? [];
        if (!paths.includes(path)) paths.push(path);
        found.set(m, paths);
      }
    } else if (Array.isArray(node)) node.forEach((v, i) => walk(v, `${path}[${i}]`));
    else if (isPlainObject(node))
      for (const [k, v] of Object.entries(node)) {
        const key = /[./]/.test(k) ? `"${k}"` : k;
        walk(v, path ? `${path}.${key}` : key);
      }
  };
  walk(tree, '');
  return found;
}

const JUDGED = new Set(['ok', 'warn', 'fail']);

/**
 * The reporter a values module uses in values-only mode: a verdict (OK, WARN, FAIL) whose message
 * quotes an unrendered placeholder is dropped — the release module's one finding per placeholder
 * already says it — so a field holding `${DB_HOST}` is neither passed nor failed. INFO lines stay.
 */
export function skipUnrendered<R extends Reporter<string>>(out: R, active: boolean): R {
  if (!active) return out;
  return new Proxy(out, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      if (prop === 'buffered') {
        return (...args: unknown[]) => {
          const b = (value as (...a: unknown[]) => { reporter: R; flush: () => void }).apply(target, args);
          return { reporter: skipUnrendered(b.reporter, true), flush: b.flush };
        };
      }
      if (typeof prop === 'string' && JUDGED.has(prop)) {
        return (...args: unknown[]) => {
          if (args.some((a) => hasPlaceholder(a))) return undefined;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}
