/**
 * Resources in another account than irsa-check's caller (EKS user guide, "Authenticate to
 * another account with IRSA"): an Aurora cluster or OpenSearch domain the caller's account does
 * not hold, next to a component role of that other account, is one INFO naming both accounts
 * and the flag — never a FAIL for what irsa-check merely cannot see — and with
 * `--assume-role ACCOUNT=ARN` it is found and checked there, the account named in the line.
 */
import { describe, expect, it } from 'vitest';
import { plant } from './aws-checks-harness.js';
import { runWorld, type WorldModel } from '../support/world.js';

const ACCT = '123456789012';
const OTHER = '210987654321';
const READER = { assumeRoles: { [OTHER]: `arn:aws:iam::${OTHER}:role/irsa-check-reader` } };
const swap = <T>(v: T): T => JSON.parse(JSON.stringify(v).replaceAll(`:${ACCT}:`, `:${OTHER}:`)) as T;

/** The component's role and the resource move to the other account; the cluster stays. */
function moveTo(w: WorldModel, sa: string, roleName: string, what: 'dbClusters' | 'domains'): void {
  const other = `arn:aws:iam::${OTHER}:role/${roleName}`;
  w.kube.serviceAccounts!.find((s) => s.name === sa)!.annotations['eks.amazonaws.com/role-arn'] = other;
  const theirs = (w.aws.accounts ??= {})[OTHER] ?? {};
  w.aws.accounts[OTHER] = theirs;
  if (what === 'dbClusters') {
    theirs.dbClusters = swap(w.aws.dbClusters);
    w.aws.dbClusters = [];
  } else {
    theirs.domains = swap(w.aws.domains);
    w.aws.domains = [];
  }
}

const auroraElsewhere = plant((w) => moveTo(w, 'camunda-identity', 'camunda-identity-irsa', 'dbClusters'));
const openSearchElsewhere = plant((w) => moveTo(w, 'camunda-optimize', 'camunda-optimize-irsa', 'domains'));
const HOST = 'camunda-prod-aurora.cluster-c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com';

describe('cross-account Aurora', () => {
  it("not in the caller's account, the role in another: INFO for that component, no FAIL", async () => {
    const run = await runWorld(auroraElsewhere);
    expect(run.lines('aurora').filter((l) => l.startsWith('[INFO] identity:'))).toEqual([
      `[INFO] identity: cannot check from account ${ACCT}: database host ${HOST} is no Aurora cluster of account ${ACCT} in eu-west-1; it may be in account ${OTHER}, which holds role camunda-identity-irsa (IRSA, account ${OTHER}); run with a profile for account ${OTHER} (--profile-for ${OTHER}=<profile>, or --assume-role ${OTHER}=arn:aws:iam::${OTHER}:role/<a role that may read it>)`,
    ]);
    expect(run.fails('aurora').filter((f) => f.component === 'identity')).toEqual([]);
  });

  it('with --assume-role: found in the other account, named in the line', async () => {
    const run = await runWorld(auroraElsewhere, READER);
    expect(run.lines('aurora').filter((l) => l.includes('identity:'))).toEqual([
      `[OK] identity: ${HOST} is the writer endpoint of Aurora cluster camunda-prod-aurora (eu-west-1, account ${OTHER})`,
      '[OK] identity: Aurora cluster camunda-prod-aurora is available with IAM database authentication enabled',
    ]);
  });
});

describe('cross-account OpenSearch', () => {
  it('not in the caller\'s account, a role in another: INFO, not "DescribeDomain finds no domain"', async () => {
    const run = await runWorld(openSearchElsewhere);
    expect(run.lines('opensearch')).toEqual([
      `[INFO] cannot check from account ${ACCT}: OpenSearch host vpc-camunda-prod-os-4kq7rx2m5nbv3c9w1z8yd6tfha.eu-west-1.es.amazonaws.com is no domain of account ${ACCT} in eu-west-1; it may be in account ${OTHER}, which holds the optimize component's role camunda-optimize-irsa (IRSA, account ${OTHER}); run with a profile for account ${OTHER} (--profile-for ${OTHER}=<profile>, or --assume-role ${OTHER}=arn:aws:iam::${OTHER}:role/<a role that may read it>)`,
    ]);
    expect(run.exitCode).not.toBe(63);
  });

  it('with --assume-role: the domain is found and checked in the other account', async () => {
    const run = await runWorld(openSearchElsewhere, READER);
    expect(run.lines('opensearch')[0]).toBe(
      `[OK] vpc-camunda-prod-os-4kq7rx2m5nbv3c9w1z8yd6tfha.eu-west-1.es.amazonaws.com is the VPC endpoint of OpenSearch domain camunda-prod-os (eu-west-1, account ${OTHER})`,
    );
    expect(run.fails('opensearch')).toEqual([]);
  });
});

describe('the resource in another account, every role in the caller’s (issue 17: their policies say where)', () => {
  /** Only the domain moves; the roles' policy names it in the other account. */
  const domainOnlyElsewhere = plant((w) => {
    const theirs = ((w.aws.accounts ??= {})[OTHER] ??= {});
    theirs.domains = swap(w.aws.domains);
    w.aws.domains = [];
    w.aws.policies = JSON.parse(
      JSON.stringify(w.aws.policies).replaceAll(
        `arn:aws:es:eu-west-1:${ACCT}:`,
        `arn:aws:es:eu-west-1:${OTHER}:`,
      ),
    );
  });

  it('the OpenSearch domain: INFO naming the role, its mechanism and the account its policy names; no FAIL', async () => {
    const run = await runWorld(domainOnlyElsewhere);
    expect(run.lines('opensearch')).toEqual([
      `[INFO] cannot check from account ${ACCT}: OpenSearch host vpc-camunda-prod-os-4kq7rx2m5nbv3c9w1z8yd6tfha.eu-west-1.es.amazonaws.com is no domain of account ${ACCT} in eu-west-1; it may be in account ${OTHER}, which the policy of the orchestration component's role camunda-orchestration-irsa (IRSA, account ${ACCT}) names (arn:aws:es:eu-west-1:${OTHER}:domain/camunda-prod-os/*); run with a profile for account ${OTHER} (--profile-for ${OTHER}=<profile>, or --assume-role ${OTHER}=arn:aws:iam::${OTHER}:role/<a role that may read it>)`,
    ]);
    expect(run.fails('opensearch')).toEqual([]);
  });

  it('with --assume-role: found there; across accounts the domain policy must name the role too', async () => {
    const run = await runWorld(domainOnlyElsewhere, READER);
    expect(run.lines('opensearch')[0]).toBe(
      `[OK] vpc-camunda-prod-os-4kq7rx2m5nbv3c9w1z8yd6tfha.eu-west-1.es.amazonaws.com is the VPC endpoint of OpenSearch domain camunda-prod-os (eu-west-1, account ${OTHER})`,
    );
  });

  it('no policy names another account: the FAIL stays (a wrong host is a wrong host)', async () => {
    const w = plant((x) => {
      x.aws.domains = [];
    });
    const run = await runWorld(w);
    expect(run.fails('opensearch').map((f) => f.check)).toEqual(['os-domain-exists']);
  });
});
