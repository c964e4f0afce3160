/**
 * The cluster's IAM OIDC provider when the IRSA roles live in another account (EKS user guide,
 * "Authenticate to another account with IRSA": STS accepts only a provider of the role's account).
 * The caller's account without a provider is then no FAIL: the provider is checked in the roles'
 * account (--assume-role / --profile-for), or irsa-check says it cannot check from here. A run
 * whose components all use EKS Pod Identity needs no provider at all.
 */
import { describe, expect, it } from 'vitest';
import { cluster } from '../../src/checks/cluster.js';
import { ApiCallError } from '../../src/core/errors.js';
import { runChecks } from '../support/module-run.js';
import { cloneWorld, loadWorld, runWorld, type WorldModel } from '../support/world.js';

const ACCT = '123456789012';
const OTHER = '210987654321';
const ISSUER_PATH = 'oidc.eks.eu-west-1.amazonaws.com/id/5C9F1A2B3D4E5F60718293A4B5C6D7E8';
const OTHER_PROVIDER = `arn:aws:iam::${OTHER}:oidc-provider/${ISSUER_PATH}`;
const READER = { assumeRoles: { [OTHER]: `arn:aws:iam::${OTHER}:role/irsa-check-reader` } };
// Each role with the ServiceAccount(s) whose pods use it: the plan (components) is not known yet there.
const ROLES =
  'camunda-identity-irsa (service account camunda-identity), camunda-keycloak-irsa (service account camunda-keycloak), camunda-optimize-irsa (service account camunda-optimize), camunda-web-modeler-irsa (service account camunda-web-modeler), camunda-orchestration-irsa (service account camunda-zeebe)';

/**
 * Every role, policy and the OIDC provider moved to account OTHER (the cluster, Aurora and the
 * domain stay in the caller's); `provider` false: OTHER has no provider for the issuer either.
 */
function rolesElsewhere(provider: boolean): WorldModel {
  const healthy = loadWorld('camunda-8.8-healthy.yaml');
  const caller = healthy.aws.caller;
  const w = JSON.parse(
    JSON.stringify(healthy)
      .replaceAll(`arn:aws:iam::${ACCT}:role/`, `arn:aws:iam::${OTHER}:role/`)
      .replaceAll(`arn:aws:iam::${ACCT}:oidc-provider/`, `arn:aws:iam::${OTHER}:oidc-provider/`)
      .replaceAll(`arn:aws:iam::${ACCT}:policy/`, `arn:aws:iam::${OTHER}:policy/`),
  ) as WorldModel;
  w.aws.caller = caller;
  w.aws.accounts = {
    [OTHER]: {
      roles: w.aws.roles!,
      policies: w.aws.policies!,
      oidcProviders: provider ? w.aws.oidcProviders! : [],
    },
  };
  w.aws.roles = [];
  w.aws.policies = {};
  w.aws.oidcProviders = [];
  return w;
}

describe("the IAM OIDC provider in the roles' account", () => {
  it('without --assume-role: INFO "cannot check from" naming both accounts and the IRSA roles, no FAIL', async () => {
    const run = await runWorld(rolesElsewhere(true));
    expect(run.lines('cluster').at(-1)).toBe(
      `[INFO] cannot check from account ${ACCT}: account ${ACCT} has no IAM OIDC provider for the issuer ${ISSUER_PATH}, and the IRSA roles ${ROLES} are in account ${OTHER}, where STS needs it; run with a profile for account ${OTHER} (--profile-for ${OTHER}=<profile>, or --assume-role ${OTHER}=arn:aws:iam::${OTHER}:role/<a role that may read it>)`,
    );
    expect(run.fails('cluster')).toEqual([]);
  });

  it("with --assume-role: the roles' account holds the provider: OK naming it and the account", async () => {
    const run = await runWorld(rolesElsewhere(true), READER);
    expect(run.lines('cluster').at(-1)).toBe(
      `[OK] IAM OIDC provider ${OTHER_PROVIDER} trusts the issuer, audience sts.amazonaws.com (account ${OTHER}, where the IRSA roles ${ROLES} are; account ${ACCT} has none)`,
    );
    expect(run.fails('cluster')).toEqual([]);
    // The roles in OTHER and Aurora in the caller's account: IAM database authentication refuses
    // them whatever their policies say (Aurora User Guide: the role must be in the cluster's account).
    expect(run.fails('roles').map((f) => f.message)).toContain(
      `role camunda-identity-irsa (IRSA, account ${OTHER}) may not rds-db:connect as identity_irsa to Aurora cluster camunda-prod-aurora (arn:aws:rds-db:eu-west-1:${ACCT}:dbuser:cluster-7GJQ2XKZ5N4M3P2R1S0T9U8V7W/identity_irsa): Aurora cluster camunda-prod-aurora is in account ${ACCT}, and IAM database authentication accepts only a role of the cluster's own account, whatever the policies allow`,
    );
  });

  it("with --assume-role: the roles' account has none either: FAIL 35 naming that account", async () => {
    const run = await runWorld(rolesElsewhere(false), READER);
    expect(run.lines('cluster').at(-1)).toBe(
      `[FAIL] no IAM OIDC provider for the issuer ${ISSUER_PATH} in account ${OTHER}, where the IRSA roles ${ROLES} are: STS refuses the ServiceAccount tokens for them`,
    );
    expect(run.fails('cluster').map((f) => [f.check, f.code])).toEqual([['oidc-provider', 35]]);
  });

  it("a role in the caller's account still needs the caller's provider: FAIL as before", async () => {
    const w = rolesElsewhere(true);
    // Keycloak's role back in the caller's account.
    const keycloak = w.aws.accounts![OTHER]!.roles!.find((r) => r.name === 'camunda-keycloak-irsa')!;
    w.aws.roles = [JSON.parse(JSON.stringify(keycloak).replaceAll(`iam::${OTHER}:`, `iam::${ACCT}:`))];
    for (const sa of w.kube.serviceAccounts!)
      for (const [k, v] of Object.entries(sa.annotations))
        if (v.endsWith(':role/camunda-keycloak-irsa')) sa.annotations[k] = v.replace(OTHER, ACCT);
    const run = await runWorld(w, READER);
    expect(run.fails('cluster').map((f) => f.check)).toEqual(['oidc-provider']);
    expect(run.fails('cluster')[0]!.message).toMatch(/^no IAM OIDC provider for the issuer oidc\.eks\./);
  });

  it('every pod on EKS Pod Identity: no provider needed, an INFO, never a FAIL', async () => {
    const w = cloneWorld(loadWorld('camunda-8.8-healthy.yaml'));
    w.aws.oidcProviders = [];
    // No annotation left; camunda-identity has an association (the other components use no role).
    for (const sa of w.kube.serviceAccounts!) delete sa.annotations['eks.amazonaws.com/role-arn'];
    w.aws.podIdentity = [
      {
        cluster: 'camunda-prod',
        region: 'eu-west-1',
        associationId: 'a-0123456789abcdef0',
        namespace: 'camunda',
        serviceAccount: 'camunda-identity',
        roleArn: `arn:aws:iam::${ACCT}:role/camunda-identity-irsa`,
      },
    ];
    const run = await runChecks(w, [cluster], { facts: { caller: w.aws.caller!, partition: 'aws' } });
    expect(run.lines().at(-1)).toBe(
      `[INFO] no IAM OIDC provider for the issuer ${ISSUER_PATH} in account ${ACCT}: none is needed, no pod in namespace camunda uses IRSA (EKS Pod Identity: service account(s) camunda-identity)`,
    );
    expect(run.fails()).toEqual([]);
  });

  describe('what decides "none is needed" could not be read: never "none is needed", the FAIL stands', () => {
    /** The Pod Identity world above: with every read answered, "none is needed". */
    function podIdentityOnly(): WorldModel {
      const w = cloneWorld(loadWorld('camunda-8.8-healthy.yaml'));
      w.aws.oidcProviders = [];
      for (const sa of w.kube.serviceAccounts!) delete sa.annotations['eks.amazonaws.com/role-arn'];
      w.aws.podIdentity = [
        {
          cluster: 'camunda-prod',
          region: 'eu-west-1',
          associationId: 'a-0123456789abcdef0',
          namespace: 'camunda',
          serviceAccount: 'camunda-identity',
          roleArn: `arn:aws:iam::${ACCT}:role/camunda-identity-irsa`,
        },
      ];
      return w;
    }
    const failing =
      <T extends object>(method: string, error: () => Error) =>
      (target: T): T =>
        new Proxy(target, {
          get(obj, prop, receiver) {
            if (prop !== method) return Reflect.get(obj, prop, receiver);
            return () => Promise.reject(error());
          },
        });

    it('a ServiceAccount get answers 403 (its annotation unseen)', async () => {
      const w = podIdentityOnly();
      const run = await runChecks(w, [cluster], {
        facts: { caller: w.aws.caller!, partition: 'aws' },
        kube: failing(
          'serviceAccount',
          () => new ApiCallError('kube', 'get serviceaccounts', 'Forbidden', 'forbidden', 403),
        ),
      });
      expect(run.lines().join('\n')).not.toContain('none is needed');
      expect(run.fails('cluster').map((f) => f.message)).toEqual([
        expect.stringMatching(/^no IAM OIDC provider for the issuer oidc\.eks\./),
      ]);
    });
  });
});
