/**
 * EKS Pod Identity next to IRSA. When a ServiceAccount has both a role-arn annotation
 * and a Pod Identity association, both webhooks inject credentials; the AWS SDKs'
 * default chains read the web identity token file (IRSA) before the container
 * credentials endpoint (Pod Identity), so the IRSA role wins and the association's
 * role goes unused (EKS user guide, "EKS Pod Identity": credential provider order).
 */
import { defineModule } from '../core/module.js';
import { eachInOrder } from '../core/reporter.js';

export const podIdentity = defineModule({
  id: 'pod-identity',
  title: 'EKS Pod Identity associations',
  needs: ['plan', 'roleArns', 'cluster', 'region'],
  checks: {
    'pod-identity-conflict': {
      severity: 'FAIL',
      // 250-252 are the self-managed webhook and injection checks.
      code: 253,
      title:
        'an EKS Pod Identity association gives the service account another role than its IRSA annotation',
      fix: 'Delete the Pod Identity association, or make it name the annotated role.',
    },
  },
  async run(ctx, out) {
    const { plan, cluster, region } = ctx.facts;
    const ns = ctx.options.namespace;
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
    let quiet = 0;
    await eachInOrder(
      plan,
      out,
      (c) => c.key,
      async (c, o) => {
        const sa = c.serviceAccount.name;
        const found = associations.filter((a) => a.serviceAccount === sa);
        if (found.length === 0) {
          quiet++;
          return;
        }
        const annotated = ctx.facts.roleArns.get(c.key);
        for (const a of found) {
          const role = a.roleArn ?? 'an unknown role';
          if (!annotated) {
            o.info(
              `Pod Identity association ${a.associationId} gives service account ${sa} the role ${role}: the AWS SDKs use it, as the service account has no usable IRSA role`,
            );
          } else if (a.roleArn === annotated) {
            o.info(
              `service account ${sa} has both IRSA and Pod Identity association ${a.associationId} for ${annotated}: the AWS SDKs use IRSA (the web identity token comes first in their credential chain)`,
            );
          } else {
            o.fail(
              'pod-identity-conflict',
              `Pod Identity association ${a.associationId} gives service account ${sa} the role ${role}, but its IRSA annotation says ${annotated}: the AWS SDKs use ${annotated} (the web identity token comes first in their credential chain), ${role} goes unused`,
              {
                fix: `Delete the association (aws eks delete-pod-identity-association --cluster-name ${cluster.name} --association-id ${a.associationId}) or make both name the same role.`,
              },
            );
          }
        }
      },
    );
    if (quiet === plan.length)
      out.ok(
        'pod-identity-conflict',
        `no EKS Pod Identity association for the checked service accounts in namespace ${ns}`,
      );
  },
});
