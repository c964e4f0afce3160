/**
 * Gathers the environment the run depends on: the AWS caller identity (sts:GetCallerIdentity),
 * and with a cluster its API server, the platform (EKS or self-managed), whether the namespace
 * exists and the nodes. The caller, the partition and the platform are published the moment
 * they are known, so the modules waiting for them start while the rest is still asked.
 */
import type { ModuleContext } from '../engine/module.js';
import type { CallerIdentity } from '../ports/aws.js';
import type { KubeNode } from '../ports/kube.js';
import { parseArn } from '../iam/arn.js';
import { detectPlatform, type PlatformDecision } from '../platform/detect.js';

/** An answer, or what asking threw. */
export type Asked<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface Mode {
  /** --values given: without AWS credentials the values are still checked. */
  valuesOnly: boolean;
  /** --profile, named in the fix for an unconfigured profile. */
  profile?: string;
}

export type PreflightInput =
  | (Mode & { kind: 'no-cluster'; absent: string; identity: Asked<CallerIdentity> })
  /** Deciding the platform threw: nothing else is judged. */
  | { kind: 'platform-error'; server: string; error: unknown }
  | (Mode & {
      kind: 'cluster';
      server: string;
      identity: Asked<CallerIdentity>;
      namespaceName: string;
      /** Undefined with -A (no single namespace to look for). */
      namespace?: Asked<boolean>;
      platform: PlatformDecision;
      nodes: Asked<KubeNode[]>;
    });

type Ctx = ModuleContext<never, never, 'caller' | 'partition' | 'platform'>;

function ask<T>(p: Promise<T>): Promise<Asked<T>> {
  return p.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}

function askIdentity(ctx: Ctx): Promise<Asked<CallerIdentity>> {
  return ask(
    ctx.aws.callerIdentity().then((caller) => {
      ctx.provide('caller', caller);
      ctx.provide('partition', parseArn(caller.arn)?.partition ?? 'aws');
      return caller;
    }),
  );
}

export async function collectPreflight(ctx: Ctx): Promise<PreflightInput> {
  const mode: Mode = {
    valuesOnly: ctx.options.values.length > 0,
    ...(ctx.options.profile !== undefined ? { profile: ctx.options.profile } : {}),
  };
  const absent = ctx.scope.noCluster;
  if (absent) return { ...mode, kind: 'no-cluster', absent, identity: await askIdentity(ctx) };
  const { server } = await ctx.kube.clusterInfo();
  ctx.debug(`Kubernetes API server: ${server}`);
  // Independent questions, asked at once (the platform decision only shapes how the nodes are
  // judged, so the nodes are listed meanwhile: the call log answers the later call from it).
  const identity = askIdentity(ctx);
  const namespace = ctx.options.allNamespaces
    ? Promise.resolve(undefined)
    : ask(ctx.kube.namespaceExists(ctx.scope.namespace));
  ctx.kube.nodes().catch(() => {}); // the same call as below
  let platform: PlatformDecision;
  try {
    platform = await detectPlatform(ctx.kube, ctx.options.platform);
  } catch (error) {
    // The identity and namespace answers are not waited for: the run stops on this one.
    return { kind: 'platform-error', server, error };
  }
  ctx.provide('platform', platform);
  const nodes = await ask(ctx.kube.nodes());
  const ns = await namespace;
  return {
    ...mode,
    kind: 'cluster',
    server,
    identity: await identity,
    namespaceName: ctx.scope.namespace,
    ...(ns ? { namespace: ns } : {}),
    platform,
    nodes,
  };
}
