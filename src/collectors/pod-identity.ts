/**
 * Gathers what the EKS Pod Identity evaluator judges: the namespace's associations
 * (eks:ListPodIdentityAssociations + DescribePodIdentityAssociation), published at once as the
 * podIdentity fact so the service-accounts module can decide each component's mechanism; each
 * associated component's live role-arn annotation; and, when some component has an association,
 * the eks-pod-identity-agent pods and the nodes. API errors are captured as values.
 */
import type { ModuleContext } from '../engine/module.js';
import { ApiCallError } from '../core/errors.js';
import type { PodIdentityAssociation } from '../ports/aws.js';
import { ROLE_ARN_ANNOTATION, type KubeNode, type KubePod, type KubeServiceAccount } from '../ports/kube.js';
import { POD_IDENTITY_AGENT_NAMESPACE, POD_IDENTITY_AGENT_SELECTOR } from '../platform/pod-identity.js';

/** One planned component whose ServiceAccount has an association, in the plan's order. */
export interface AssociatedComponent {
  key: string;
  serviceAccount: string;
  association: PodIdentityAssociation;
  /** The role-arn annotation the ServiceAccount carries too (live, or as rendered without a cluster). */
  annotated?: string;
  /** Why the live ServiceAccount could not be read: its annotation is unknown, never "none". */
  accountError?: unknown;
}

/** The node agent: its pods and the nodes, or why they could not be listed. */
export type AgentSnapshot =
  | { kind: 'listed'; agents: KubePod[]; nodes: KubeNode[] }
  | { kind: 'unreadable'; error: ApiCallError }
  | { kind: 'error'; error: unknown };

export type PodIdentityInput =
  | { kind: 'error'; error: unknown }
  | { kind: 'not-implemented' }
  | {
      kind: 'associations';
      namespace: string;
      clusterName: string;
      components: AssociatedComponent[];
      /** Absent without a cluster (values-only) or when no component has an association. */
      agent?: AgentSnapshot;
    };

export async function collectPodIdentity(
  ctx: ModuleContext<'plan' | 'cluster' | 'region', never, 'podIdentity'>,
): Promise<PodIdentityInput> {
  const { plan, cluster, region } = ctx.facts;
  const ns = ctx.scope.namespace;
  let associations: PodIdentityAssociation[] | undefined;
  try {
    associations = await ctx.aws.podIdentityAssociations(cluster.name, region, ns);
  } catch (error) {
    return { kind: 'error', error };
  }
  if (associations === undefined) return { kind: 'not-implemented' };
  const bySa = new Map<string, PodIdentityAssociation>();
  for (const a of associations) if (!bySa.has(a.serviceAccount)) bySa.set(a.serviceAccount, a);
  // Published before the ServiceAccounts are read: service-accounts starts at once.
  ctx.provide('podIdentity', bySa);
  const noCluster = ctx.scope.noCluster !== undefined;
  const components = (
    await Promise.all(
      plan.map(async (c): Promise<AssociatedComponent | undefined> => {
        const sa = c.serviceAccount.name;
        const association = bySa.get(sa);
        if (!association) return undefined;
        // Absent (undefined: 404) carries no annotation; a failed read is kept for the evaluator.
        let account: KubeServiceAccount | undefined;
        let accountError: unknown;
        if (!noCluster) {
          try {
            account = await ctx.kube.serviceAccount(ns, sa);
          } catch (error) {
            accountError = error;
          }
        }
        const annotations = noCluster ? c.serviceAccount.annotations : (account?.annotations ?? {});
        const annotated = annotations[ROLE_ARN_ANNOTATION]?.trim();
        return {
          key: c.key,
          serviceAccount: sa,
          association,
          ...(annotated ? { annotated } : {}),
          ...(accountError !== undefined ? { accountError } : {}),
        };
      }),
    )
  ).filter((c): c is AssociatedComponent => c !== undefined);
  const input = { kind: 'associations' as const, namespace: ns, clusterName: cluster.name, components };
  if (noCluster || components.length === 0) return input;
  return { ...input, agent: await agentSnapshot(ctx) };
}

async function agentSnapshot(
  ctx: ModuleContext<'plan' | 'cluster' | 'region', never, 'podIdentity'>,
): Promise<AgentSnapshot> {
  try {
    const [agents, nodes] = await Promise.all([
      ctx.kube.pods(POD_IDENTITY_AGENT_NAMESPACE, POD_IDENTITY_AGENT_SELECTOR),
      ctx.kube.nodes(),
    ]);
    return { kind: 'listed', agents, nodes };
  } catch (error) {
    return error instanceof ApiCallError ? { kind: 'unreadable', error } : { kind: 'error', error };
  }
}
