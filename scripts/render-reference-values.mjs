#!/usr/bin/env node
/**
 * Renders fixtures/values/reference/*.raw.yaml into *.rendered.yaml the way the reference procedure
 * does (`envsubst` over the values with the variables export-helm-values.sh exports), with the
 * variables of fixtures/values/reference/render.env. Only `${NAME}` is replaced, as envsubst does
 * with an explicit variable list; a variable render.env lacks is left as it is.
 *
 *   node scripts/render-reference-values.mjs
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REFERENCE_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'fixtures',
  'values',
  'reference',
);

/** `NAME=value` lines; `#` comments and blank lines skipped. */
export function readEnv(text) {
  const env = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2];
  }
  return env;
}

/** envsubst: `${NAME}` → its value; YAML comment lines are left alone (they document the placeholders). */
export function envsubst(text, env) {
  return text
    .split('\n')
    .map((line) =>
      /^\s*#/.test(line) ? line : line.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (all, name) => env[name] ?? all),
    )
    .join('\n');
}

export function renderAll() {
  const env = readEnv(readFileSync(join(REFERENCE_DIR, 'render.env'), 'utf8'));
  const out = [];
  for (const f of readdirSync(REFERENCE_DIR)
    .filter((f) => f.endsWith('.raw.yaml'))
    .sort()) {
    const rendered = f.replace(/\.raw\.yaml$/, '.rendered.yaml');
    const text = envsubst(readFileSync(join(REFERENCE_DIR, f), 'utf8'), env);
    out.push({
      raw: f,
      rendered,
      text: `# RENDERED from ${f} with render.env by scripts/render-reference-values.mjs\n${text}`,
    });
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const r of renderAll()) writeFileSync(join(REFERENCE_DIR, r.rendered), r.text);
}
