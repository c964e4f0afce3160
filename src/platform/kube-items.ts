/**
 * The items of a Kubernetes list answer, converted one by one. An item the conversion
 * cannot read (`null`, a string where an object belongs, a field of the wrong type) makes
 * the answer malformed: an ApiCallError naming the item, which every check reports like
 * any failed call, never a TypeError that ends as an internal error.
 */
import { ApiCallError } from '../core/errors.js';

function describe(item: unknown): string {
  if (item === null) return 'null';
  if (Array.isArray(item)) return 'a list';
  return typeof item === 'object' ? 'an object it cannot read' : `a ${typeof item}`;
}

export function convertItems<T, R>(
  operation: string,
  items: readonly T[] | undefined | null,
  convert: (item: T) => R,
): R[] {
  if (items !== undefined && items !== null && !Array.isArray(items)) {
    throw new ApiCallError(
      'kube',
      operation,
      'MalformedAnswer',
      'the API server answered a list without items',
    );
  }
  return (items ?? []).map((item, i) => {
    try {
      if (typeof item !== 'object' || item === null || Array.isArray(item))
        throw new TypeError('not an object');
      return convert(item);
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      throw new ApiCallError(
        'kube',
        operation,
        'MalformedAnswer',
        `the API server answered with ${describe(item)} at items[${i}], where an object belongs`,
      );
    }
  });
}
