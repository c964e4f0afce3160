/** Chart versions: lenient SemVer, parsed the way Helm (Masterminds semver) parses them. */
export interface ChartVersion {
  raw: string;
  major: number;
  minor: number;
  patch: number;
  prerelease?: string;
}

// Lenient SemVer, like Helm's (Masterminds): optional "v", optional patch, pre-release, build metadata.
export const VERSION =
  /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?$/;

/** '13.0.0-alpha1' → major 13; 'v12.1.0' and '12.1' parse; anything else → undefined. */
export function parseChartVersion(raw: string): ChartVersion | undefined {
  const m = VERSION.exec(raw.trim());
  if (!m) return undefined;
  const [major, minor, patch] = [m[1], m[2], m[3] ?? '0'].map(Number) as [number, number, number];
  if (![major, minor, patch].every(Number.isSafeInteger)) return undefined;
  return { raw, major, minor, patch, ...(m[4] ? { prerelease: m[4] } : {}) };
}
