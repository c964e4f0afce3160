/** The four levels of the output contract inherited from aws-irsa.sh (plus WARN). */
export type Level = 'OK' | 'INFO' | 'WARN' | 'FAIL';

export interface Finding {
  level: Level;
  /** The catalogue ID of the check this finding is a verdict of (absent on context lines). */
  check?: string;
  /** Exit code of a FAIL (docs/CHECKS.md); absent for OK/INFO/WARN. */
  code?: number;
  /** The check module that produced it (e.g. `aurora`). */
  module: string;
  /** The chart component it is about (e.g. `webModeler`), when it is about one. */
  component?: string;
  /** `namespace/release`, in -A runs where findings of several releases mix. */
  release?: string;
  message: string;
  /** What to do about it: every FAIL has one. */
  fix?: string;
  /** Structured detail for machine readers (the JSON report). */
  data?: Record<string, unknown>;
}

export interface FindingOptions {
  component?: string;
  fix?: string;
  data?: Record<string, unknown>;
}
