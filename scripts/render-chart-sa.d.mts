/** Types of scripts/render-chart-sa.mjs, for the tests that import it. */
export interface RenderTarget {
  file: string;
  chart: string;
  minor: string;
  main?: boolean;
  commit: string;
}
export interface RenderCase {
  name: string;
  values?: Record<string, unknown>;
  valuesFile?: string;
}
export interface RenderedFacts {
  serviceAccounts: { name: string; roleArn: string | null }[];
  workloads: { kind: string; name: string; serviceAccountName: string | null }[];
}
export declare const RENDERS_DIR: string;
export declare const RELEASE: string;
export declare const NAMESPACE: string;
export declare const ROLE_ARN: string;
export declare const TARGETS: RenderTarget[];
export declare const BASE_VALUES: Record<string, Record<string, unknown>>;
export declare function casesFor(target: RenderTarget): RenderCase[];
export declare function extractFacts(manifest: string, standIn?: string[]): RenderedFacts;
export declare function prepareChart(gitDir: string, target: RenderTarget): { dir: string; chart: string };
export declare function helmVersion(helm: string): string;
export declare function renderCase(
  helm: string,
  chart: string,
  target: RenderTarget,
  c: RenderCase,
  workDir: string,
): RenderedFacts;
