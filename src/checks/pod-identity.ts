/**
 * EKS Pod Identity: the namespace's associations (eks:ListPodIdentityAssociations +
 * DescribePodIdentityAssociation), provided as the podIdentity fact so the service-accounts
 * module can decide which credentials each component's pods get, and the parts of the
 * mechanism that are not a role: an association beside an IRSA annotation, and the node agent.
 * The collector (src/collectors/pod-identity.ts) gathers; this evaluator judges.
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
import type { Reporter } from '../core/reporter.js';
import { ApiCallError } from '../core/errors.js';
import { kubeGrantHint } from '../platform/kube-grant.js';
import type { PodIdentityAssociation } from '../ports/aws.js';
import { ROLE_ARN_ANNOTATION } from '../ports/kube.js';
import {
  AGENT_EXCLUDED_COMPUTE_TYPES,
  associationRole,
  POD_IDENTITY_AGENT_NAMESPACE,
  POD_IDENTITY_AGENT_SELECTOR,
  POD_IDENTITY_SERVICE,
} from '../platform/pod-identity.js';
import {
  collectPodIdentity,
  type AgentSnapshot,
  type AssociatedComponent,
} from '../collectors/pod-identity.js';

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
function judgeAgent(snapshot: AgentSnapshot, users: string[], out: Reporter<Id>): void {
  if (snapshot.kind === 'error') {
    out.unexpected(snapshot.error);
    return;
  }
  if (snapshot.kind === 'unreadable') {
    const e = snapshot.error;
    out.info(
      `the eks-pod-identity-agent is not checked: ${e.operation} answered ${e.reason} (needs list on pods in ${POD_IDENTITY_AGENT_NAMESPACE} and on nodes)`,
    );
    return;
  }
  const { agents, nodes } = snapshot;
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

/** One associated component: the association alone (INFO), or beside an annotation (WARN, which one wins). */
function judgeComponent(
  c: AssociatedComponent,
  clusterName: string,
  namespace: string,
  out: Reporter<Id>,
): void {
  const { association: a, serviceAccount: sa, annotated } = c;
  const role = associationRole(a);
  if (c.accountError !== undefined) {
    // Not read is not "no annotation": a 403 names the grant, anything else is the run's error
    // (a lost API server: the connectivity FAIL, exit 3).
    const e = c.accountError;
    if (!(e instanceof ApiCallError && e.isAccessDenied)) return out.unexpected(e);
    out.info(
      `Pod Identity association ${a.associationId} gives service account ${sa} ${describe(a)}; whether its IRSA annotation says otherwise is not checked: cannot ${e.operation} (${e.reason}); ${kubeGrantHint('serviceAccount', namespace)}`,
    );
    return;
  }
  if (!annotated) {
    out.info(
      `Pod Identity association ${a.associationId} gives service account ${sa} ${describe(a)}: its pods get it through the eks-pod-identity-agent`,
    );
    return;
  }
  const why =
    'the pod identity webhook injects AWS_CONTAINER_CREDENTIALS_FULL_URI, not AWS_ROLE_ARN, when an association exists';
  if (annotated === role) {
    out.warn(
      'pod-identity-conflict',
      `service account ${sa} has both the IRSA annotation and Pod Identity association ${a.associationId} for ${annotated}: the pods use Pod Identity (${why}), so the role must trust ${POD_IDENTITY_SERVICE}; the annotation is unused`,
      {
        fix: `Remove the ${ROLE_ARN_ANNOTATION} annotation from service account ${sa} once the role trusts ${POD_IDENTITY_SERVICE} (see the roles lines).`,
      },
    );
  } else {
    out.warn(
      'pod-identity-conflict',
      `Pod Identity association ${a.associationId} gives service account ${sa} ${describe(a)}, and its IRSA annotation says ${annotated}: the pods use ${role ?? 'the association'} (${why}); ${annotated} goes unused`,
      {
        fix: `Remove the ${ROLE_ARN_ANNOTATION} annotation from service account ${sa}, or delete the association (aws eks delete-pod-identity-association --cluster-name ${clusterName} --association-id ${a.associationId}) to use IRSA.`,
      },
    );
  }
}

export const podIdentity = defineModule({
  id: 'pod-identity',
  title: 'EKS Pod Identity associations',
  needs: ['plan', 'cluster', 'region'],
  provides: ['podIdentity'],
  checks: CHECKS,
  collect: collectPodIdentity,
  evaluate(input, out) {
    if (input.kind === 'error') {
      out.unexpected(input.error);
      return;
    }
    if (input.kind === 'not-implemented') {
      out.info(
        'EKS Pod Identity associations not checked: the EKS endpoint does not implement ListPodIdentityAssociations',
      );
      return;
    }
    // The plan's order, each component's lines under its name (as eachInOrder gave them).
    for (const c of input.components)
      judgeComponent(c, input.clusterName, input.namespace, out.forComponent(c.key));
    if (input.components.length === 0) {
      out.ok(
        'pod-identity-conflict',
        `no EKS Pod Identity association for the checked service accounts in namespace ${input.namespace}`,
      );
      return;
    }
    if (input.agent) {
      const users = input.components.map((c) => c.serviceAccount).sort();
      judgeAgent(input.agent, users, out);
    }
  },
});
