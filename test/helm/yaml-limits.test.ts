/**
 * YAML documents (values files, --chart's values.yaml, an Argo CD Application's values) are held
 * to the input limits of every other input (src/core/limits.ts): the same flags raise them, and a
 * breach names the limit and the flag.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { DEFAULT_LIMITS, limitsFrom } from '../../src/core/limits.js';
import { parseYaml } from '../../src/helm/values-only.js';

const deep = (levels: number): string => `a: ${'['.repeat(levels)}${']'.repeat(levels)}\n`;
const WHAT = 'spec.source.helm.values of Application camunda';

describe('YAML input limits', () => {
  it('depth: 100 levels by default, --max-depth raises it (js-yaml’s own limit moves with it)', async () => {
    await expect(parseYaml(deep(98), WHAT)).resolves.toBeDefined();
    await expect(parseYaml(deep(150), WHAT)).rejects.toThrow(
      new UsageError(`${WHAT} is nested deeper than the input limit of 100 levels (--max-depth raises it)`),
    );
    await expect(parseYaml(deep(150), WHAT, limitsFrom(64, 200))).resolves.toBeDefined();
  });

  it('text: an eighth of --max-input-mb, whatever the YAML comes from', async () => {
    const text = `a: "${'x'.repeat(300 * 1024)}"\n`;
    await expect(parseYaml(text, WHAT, limitsFrom(2, 100))).rejects.toThrow(
      new UsageError(
        `${WHAT} is larger than the 0.25 MB input limit for YAML text (--max-input-mb raises it: YAML text gets an eighth of it)`,
      ),
    );
    await expect(parseYaml(text, WHAT, limitsFrom(4, 100))).resolves.toBeDefined();
  });

  it('aliases: the tree as walked is held to --max-input-mb', async () => {
    const lines = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i <= 6; i++)
      lines.push(
        `a${i}: &a${i} [${Array(8)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    // 8^7 = 2 million strings as walked: over 1 MB, within 64 MB.
    await expect(parseYaml(lines.join('\n'), WHAT, limitsFrom(1, 100))).rejects.toThrow(
      new UsageError(
        `${WHAT} expands to more than the 1 MB input limit through YAML aliases (--max-input-mb raises it)`,
      ),
    );
    await expect(parseYaml(lines.join('\n'), WHAT, DEFAULT_LIMITS)).resolves.toBeDefined();
  });
});
