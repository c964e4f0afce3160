/** Types of scripts/render-reference-values.mjs, for the tests that import it. */
export declare const REFERENCE_DIR: string;
export declare function readEnv(text: string): Record<string, string>;
export declare function envsubst(text: string, env: Record<string, string>): string;
export declare function renderAll(): { raw: string; rendered: string; text: string }[];
