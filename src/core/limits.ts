/**
 * Input limits: what irsa-check reads from a cluster or a file (a Helm release, a bundle,
 * a values file, an Argo CD Application's values) is bounded in decompressed size and nesting
 * depth before anything walks it. A 1 MB gzip bomb would otherwise inflate to gigabytes, and a tree nested 10,000 deep
 * would overflow the stack of every recursive step after it (JSON.stringify among them).
 * Each limit has a flag that raises it; a breach is one clear FAIL naming both.
 */
import { gunzipSync } from 'node:zlib';

export interface InputLimits {
  /** Largest decompressed document read, in bytes (`--max-input-mb`); also the expanded size of a tree. */
  maxInputBytes: number;
  /** Deepest nesting of objects and arrays in a document (`--max-depth`). */
  maxDepth: number;
}

export const DEFAULT_MAX_INPUT_MB = 64;
/** js-yaml's own default nesting limit; a values file and a release share it (--max-depth). */
export const DEFAULT_MAX_DEPTH = 100;
/**
 * The highest `--max-depth` accepted: every step after reading (redaction, merging, JSON.stringify
 * for bundles and call keys) recurses once per level, and Node's default stack holds a few
 * thousand. A test runs a release this deep through a whole run, recording included.
 */
export const MAX_DEPTH_CEILING = 1000;
/** The highest `--max-input-mb` accepted: larger Buffers than this cannot exist in Node anyway. */
export const MAX_INPUT_MB_CEILING = 1024;

export const DEFAULT_LIMITS: InputLimits = {
  maxInputBytes: DEFAULT_MAX_INPUT_MB * 1024 * 1024,
  maxDepth: DEFAULT_MAX_DEPTH,
};

/**
 * YAML text gets an eighth of the size limit (8 MB by default): parsing YAML costs far more
 * than JSON — js-yaml took 17 s and 630 MB resident for 50 MB of values on a 2-core machine —
 * while a real values file is tens of kilobytes. The same flag raises both.
 */
export const YAML_SHARE = 8;

export type LimitKind = 'size' | 'depth';

const FLAG: Record<LimitKind, string> = { size: '--max-input-mb', depth: '--max-depth' };

/**
 * A document breaks a limit. The message says how (`larger than the 64 MB input limit`); callers
 * put what broke it before it and `flag` after it, so every FAIL names the limit and its flag.
 */
export class InputLimitError extends Error {
  override name = 'InputLimitError';
  constructor(
    readonly kind: LimitKind,
    readonly limit: number,
    /** The limit of YAML text: an eighth of the size limit (YAML_SHARE). */
    readonly yaml = false,
  ) {
    super(
      kind === 'size'
        ? `larger than the ${mb(limit)} MB input limit${yaml ? ' for YAML text' : ''}`
        : `nested deeper than the input limit of ${limit} levels`,
    );
  }

  /** The flag that raises the limit. */
  get flag(): string {
    return FLAG[this.kind];
  }

  /** `--max-input-mb raises it`, and how it relates to the limit when that is not plain. */
  get raises(): string {
    return this.yaml ? `${this.flag} raises it: YAML text gets an eighth of it` : `${this.flag} raises it`;
  }

  /** `<what> is larger than the 64 MB input limit (--max-input-mb raises it)`. */
  describe(what: string): string {
    return `${what} is ${this.message} (${this.raises})`;
  }

  /**
   * A small YAML document whose tree is over the size limit as walked: only aliases make that
   * (its text is within YAML's eighth), so the line says so.
   */
  describeExpansion(what: string): string {
    if (this.kind !== 'size') return this.describe(what);
    return `${what} expands to more than the ${mb(this.limit)} MB input limit through YAML aliases (${this.raises})`;
  }
}

function mb(bytes: number): string {
  const n = bytes / (1024 * 1024);
  // Whole MB from the flag; YAML's eighth of a small limit can be a fraction (0.25).
  return String(Number(n.toFixed(2)));
}

/** Throws InputLimitError when `bytes` bytes are more than the size limit. */
export function checkSize(bytes: number, limits: InputLimits = DEFAULT_LIMITS): void {
  if (bytes > limits.maxInputBytes) throw new InputLimitError('size', limits.maxInputBytes);
}

/** Throws InputLimitError when YAML text of `bytes` bytes is more than its share of the size limit. */
export function checkYamlSize(bytes: number, limits: InputLimits = DEFAULT_LIMITS): void {
  const limit = Math.floor(limits.maxInputBytes / YAML_SHARE);
  if (bytes > limit) throw new InputLimitError('size', limit, true);
}

/** gunzip that stops at the size limit instead of inflating a bomb (zlib's maxOutputLength). */
export function gunzipLimited(bytes: Buffer, limits: InputLimits = DEFAULT_LIMITS): Buffer {
  try {
    return gunzipSync(bytes, { maxOutputLength: limits.maxInputBytes });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new InputLimitError('size', limits.maxInputBytes);
    }
    throw e;
  }
}

/**
 * Checks a parsed tree without recursion: its depth, and its expanded size (strings and
 * keys by length, everything else a few bytes), so a tree whose branches are shared (YAML
 * aliases: a "billion laughs" document is small as text and huge when walked) is caught
 * before a recursive walker visits every copy. Stops at the first breach.
 */
export function checkTree(value: unknown, limits: InputLimits = DEFAULT_LIMITS): void {
  const stack: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 0 }];
  let size = 0;
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (typeof v === 'string') size += v.length + 2;
    else size += 8;
    if (size > limits.maxInputBytes) throw new InputLimitError('size', limits.maxInputBytes);
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > limits.maxDepth) throw new InputLimitError('depth', limits.maxDepth);
    if (Array.isArray(v)) {
      for (const item of v) stack.push({ v: item, depth: depth + 1 });
    } else {
      for (const [k, item] of Object.entries(v)) {
        size += k.length + 2;
        stack.push({ v: item, depth: depth + 1 });
      }
    }
  }
}

/** Limits from the command line's values (`--max-input-mb`, `--max-depth`). */
export function limitsFrom(maxInputMb: number, maxDepth: number): InputLimits {
  return { maxInputBytes: maxInputMb * 1024 * 1024, maxDepth };
}
