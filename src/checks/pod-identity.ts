/**
 * EKS Pod Identity: the namespace's associations (eks:ListPodIdentityAssociations +
 * DescribePodIdentityAssociation), provided as the podIdentity fact so the service-accounts
 * module can decide which credentials each component's pods get, and the parts of the
 * mechanism that are not a role: an association beside an IRSA annotation, and the node agent.
 *
 * Precedence: for a ServiceAccount with an association the pod identity webhook injects only
 * AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, never
 * AWS_ROLE_ARN or the web identity token (aws/amazon-eks-pod-identity-webhook,
 * pkg/handler/handler.go, buildPodPatchConfig: "Container credentials method takes
 * precedence"). So the association wins and the annotation goes unused: the SDKs' own chain
 * order (web identity before container credentials: aws-sdk-js-v3 credential-provider-node
 * defaultProvider, aws-sdk-java-v2 DefaultCredentialsProvider) only matters for a pod whose
 * env sets both by hand.
 */
import { defineModule } from '../engine/module.js';
import { ApiCallError } from '../core/errors.js';
import { eachInOrder, type Reporter } from '../core/reporter.js';
import type { PodIdentityAssociation } from '../ports/aws.js';
import { ROLE_ARN_ANNOTATION, type Kube } from '../ports/kube.js';
import {
  AGENT_EXCLUDED_COMPUTE_TYPES,
  associationRole,
  POD_IDENTITY_AGENT_NAMESPACE,
  POD_IDENTITY_AGENT_SELECTOR,
  POD_IDENTITY_SERVICE,
} from '../platform/pod-identity.js';

const CHECKS = {
  'pod-identity-conflict': {
    severity: 'WARN',
    title:
      'the service account has both an EKS Pod Identity association and an IRSA role-arn annotation: the association wins, the annotation is unused',
    fix: 'Remove the eks.amazonaws.com/role-arn annotation, or delete the Pod Identity association.',
  },
  'pod-identity-agent': {
    severity: 'FAIL',
    // 250-252 are the self-managed webhook and injection checks, 254-255 private STS and logs.
    code: 256,
    title:
      'the eks-pod-identity-agent does not run on the nodes: pods of a service account with a Pod Identity association get no credentials',
    fix: 'Install the Amazon EKS Pod Identity Agent add-on (aws eks create-addon --addon-name eks-pod-identity-agent).',
  },
  'pod-identity-agent-partial': {
    severity: 'WARN',
    title: 'the eks-pod-identity-agent runs on fewer nodes than it should',
    fix: 'Check the eks-pod-identity-agent DaemonSet in kube-system (its pods on every node).',
  },
} as const;
type Id = keyof typeof CHECKS;

const describe = (a: PodIdentityAssociation) =>
  a.targetRoleArn
    ? `the role ${a.targetRoleArn} (target role, assumed through ${a.roleArn ?? 'an unknown role'})`
    : `the role ${a.roleArn ?? 'an unknown role'}`;

/** The node agent serves the credentials the webhook points the pods at. */
async function checkAgent(kube: Kube, users: string[], out: Reporter<Id>): Promise<void> {
  let agents;
  let nodes;
  try {
    [agents, nodes] = await Promise.all([
      kube.pods(POD_IDENTITY_AGENT_NAMESPACE, POD_IDENTITY_AGENT_SELECTOR),
      kube.nodes(),
    ]);
  } catch (e) {
    if (!(e instanceof ApiCallError)) throw e;
    out.info(
      `the eks-pod-identity-agent is not checked: ${e.operation} answered ${e.reason} (needs list on pods in ${POD_IDENTITY_AGENT_NAMESPACE} and on nodes)`,
    );
    return;
  }
  const excluded = new Set<string>(AGENT_EXCLUDED_COMPUTE_TYPES);
  const served = nodes.filter((n) => !excluded.has(n.computeType ?? ''));
  const auto = nodes.filter((n) => n.computeType === 'auto').length;
  const running = agents.filter((p) => p.phase === 'Running').length;
  const who = `service account(s) ${users.join(', ')}`;
  if (served.length === 0 && nodes.length > 0) {
    if (auto > 0) out.ok('pod-identity-agent', `EKS Auto Mode nodes serve Pod Identity themselves (${who})`);
    else
      out.info(
        `no node runs the eks-pod-identity-agent (Fargate or hybrid nodes only): EKS Pod Identity is not available to pods there (${who})`,
      );
    return;
  }
  if (running === 0) {
    out.fail(
      'pod-identity-agent',
      `no running eks-pod-identity-agent pod in ${POD_IDENTITY_AGENT_NAMESPACE} (${POD_IDENTITY_AGENT_SELECTOR}): pods of ${who} get no credentials from their Pod Identity association`,
    );
    return;
  }
  if (served.length > 0 && running < served.length) {
    out.warn(
      'pod-identity-agent-partial',
      `the eks-pod-identity-agent runs on ${running} of ${served.length} node(s): pods of ${who} on the other nodes get no credentials`,
    );
    return;
  }
  out.ok(
    'pod-identity-agent',
    `the eks-pod-identity-agent runs on ${running} node(s)${served.length ? ` of ${served.length}` : ''} (${who})`,
  );
}

export const podIdentity = defineModule({
  id: 'pod-identity',
  title: 'EKS Pod Identity associations',
  needs: ['plan', 'cluster', 'region'],
  provides: ['podIdentity'],
  checks: CHECKS,
  async run(ctx, out) {
    const { plan, cluster, region } = ctx.facts;
    const ns = ctx.scope.namespace;
    let associations;
    try {
      associations = await ctx.aws.podIdentityAssociations(cluster.name, region, ns);
    } catch (e) {
      out.unexpected(e);
      return;
    }
    if (associations === undefined) {
      out.info(
        'EKS Pod Identity associations not checked: the EKS endpoint does not implement ListPodIdentityAssociations',
      );
      return;
    }
    const bySa = new Map<string, PodIdentityAssociation>();
    for (const a of associations) if (!bySa.has(a.serviceAccount)) bySa.set(a.serviceAccount, a);
    ctx.provide('podIdentity', bySa);
    const noCluster = ctx.scope.noCluster;
    const users: string[] = [];
    await eachInOrder(
      plan,
      out,
      (c) => c.key,
      async (c, o) => {
        const sa = c.serviceAccount.name;
        const a = bySa.get(sa);
        if (!a) return;
        users.push(sa);
        const account = noCluster ? undefined : await ctx.kube.serviceAccount(ns, sa).catch(() => undefined);
        const annotations = noCluster ? c.serviceAccount.annotations : (account?.annotations ?? {});
        const annotated = annotations[ROLE_ARN_ANNOTATION]?.trim();
        const role = associationRole(a);
        if (!annotated) {
          o.info(
            `Pod Identity association ${a.associationId} gives service account ${sa} ${describe(a)}: its pods get it through the eks-pod-identity-agent`,
          );
          return;
        }
        const why =
          'the pod identity webhook injects AWS_CONTAINER_CREDENTIALS_FULL_URI, not AWS_ROLE_ARN, when an association exists';
        if (annotated === role) {
          o.warn(
            'pod-identity-conflict',
            `service account ${sa} has both the IRSA annotation and Pod Identity association ${a.associationId} for ${annotated}: the pods use Pod Identity (${why}), so the role must trust ${POD_IDENTITY_SERVICE}; the annotation is unused`,
            {
              fix: `Remove the ${ROLE_ARN_ANNOTATION} annotation from service account ${sa} once the role trusts ${POD_IDENTITY_SERVICE} (see the roles lines).`,
            },
          );
        } else {
          o.warn(
            'pod-identity-conflict',
            `Pod Identity association ${a.associationId} gives service account ${sa} ${describe(a)}, and its IRSA annotation says ${annotated}: the pods use ${role ?? 'the association'} (${why}); ${annotated} goes unused`,
            {
              fix: `Remove the ${ROLE_ARN_ANNOTATION} annotation from service account ${sa}, or delete the association (aws eks delete-pod-identity-association --cluster-name ${cluster.name} --association-id ${a.associationId}) to use IRSA.`,
            },
          );
        }
      },
    );
    if (users.length === 0) {
      out.ok(
        'pod-identity-conflict',
        `no EKS Pod Identity association for the checked service accounts in namespace ${ns}`,
      );
      return;
    }
    if (!noCluster) await checkAgent(ctx.kube, users.sort(), out);
  },
});
