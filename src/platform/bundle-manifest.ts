/**
 * Redaction of YAML kept as text in a bundle (a release's rendered manifest, an
 * Argo CD Application's values): line by line, so the text stays as it was
 * written, greppable, with only the secrets replaced.
 */
import { isHostKey, isSecretKey, redactHostValue, redactText, REDACTED } from '../core/redact.js';

/**
 * Blanks `data:`/`stringData:` blocks of Secrets, secret-looking `key: value` lines,
 * env values whose name is secret-like, and the password of `user:password@host`
 * under host/URL keys.
 */
export function redactManifest(manifest: string): string {
  const lines = manifest.split('\n');
  let inSecretData = -1;
  let secretEnvName = false;
  let hostEnvName = false;
  return lines
    .map((line) => {
      // An env entry's secret-ness is in its name; its value follows on the next line.
      const envValue = /^\s*value:/.test(line);
      const secretEnv = secretEnvName && envValue;
      const hostEnv = hostEnvName && envValue;
      const envName = /^\s*-?\s*name:\s*["']?([\w.-]+)/.exec(line)?.[1] ?? '';
      secretEnvName = isSecretKey(envName);
      hostEnvName = isHostKey(envName);
      if (secretEnv) return line.replace(/^(\s*value:\s*)(\S.*)$/, `$1${REDACTED}`);
      const indent = line.length - line.trimStart().length;
      if (inSecretData >= 0 && line.trim() !== '' && indent <= inSecretData) inSecretData = -1;
      if (/^\s*(data|stringData):\s*$/.test(line) && /kind:\s*Secret/.test(manifest)) {
        inSecretData = indent;
        return line;
      }
      if (inSecretData >= 0) return line.replace(/^(\s*[^:]+:\s*).+$/, `$1${REDACTED}`);
      const host = /^(\s*-?\s*["']?([\w.-]+)["']?:\s*["']?)([^"'\s]+)(["']?\s*)$/.exec(line);
      if (host && (hostEnv || isHostKey(host[2]!))) {
        return `${host[1]}${redactHostValue(host[3]!)}${host[4]}`;
      }
      return redactText(
        line.replace(/^(\s*[\w.-]*(?:password|secret|token)[\w.-]*:\s*)(\S.*)$/i, `$1${REDACTED}`),
      );
    })
    .join('\n');
}
