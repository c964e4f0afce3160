/**
 * Output files (--junit, --record) are checked before any call is made: a run that
 * cannot write its report must say so up front, not print "All checks passed" and
 * then fail at the end.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';

/** Why `file` cannot be written, or undefined when it can (created or replaced). */
export function unwritableReason(file: string): string | undefined {
  const path = resolve(file);
  try {
    const st = statSync(path);
    if (st.isDirectory()) return 'it is a directory';
    accessSync(path, constants.W_OK);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
      return `no permission to write it (${code})`;
    if (code !== 'ENOENT') return code ?? String(e);
  }
  const dir = dirname(path);
  try {
    if (!statSync(dir).isDirectory()) return `${dir} is not a directory`;
    accessSync(dir, constants.W_OK);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return `directory ${dir} does not exist`;
    return `no permission to create it in ${dir} (${code ?? String(e)})`;
  }
}

/** Throws a usage error (exit 1) for the first output file that cannot be written. */
export function checkOutputPaths(files: Array<[flag: string, file: string | undefined]>): void {
  for (const [flag, file] of files) {
    if (file === undefined) continue;
    const why = unwritableReason(file);
    if (why) {
      throw new UsageError(
        `cannot write ${flag} ${file}: ${why}`,
        1,
        `Pass a writable path to ${flag}; nothing was checked yet.`,
      );
    }
  }
}
