/**
 * Three-valued logic for policy evaluation: an element is true, false, or unknown
 * (irsa-check cannot evaluate it), with the reasons it is unknown. Unknown never
 * collapses to true or false: AND is false as soon as one part is false, OR true as
 * soon as one part is true; otherwise an unknown part keeps the result unknown.
 */
export interface Unknown {
  unknown: string[];
}

export type Tri = boolean | Unknown;

export const unknown = (...reasons: string[]): Unknown => ({ unknown: reasons });

export function isUnknown(t: Tri): t is Unknown {
  return typeof t === 'object';
}

function merge(parts: readonly Tri[]): Unknown {
  return unknown(...new Set(parts.filter(isUnknown).flatMap((u) => u.unknown)));
}

export function and(parts: readonly Tri[]): Tri {
  if (parts.some((p) => p === false)) return false;
  return parts.some(isUnknown) ? merge(parts) : true;
}

export function or(parts: readonly Tri[]): Tri {
  if (parts.some((p) => p === true)) return true;
  return parts.some(isUnknown) ? merge(parts) : false;
}

export function not(t: Tri): Tri {
  return isUnknown(t) ? t : !t;
}
