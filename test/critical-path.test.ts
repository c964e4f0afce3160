/**
 * The critical path (issue 20, point 6): every proof starts as soon as its own inputs exist.
 * The pod-less proof (src/proofs/token.ts) needs a component's ServiceAccount and role ARN,
 * never IAM's policy simulator, so its TokenRequest and AssumeRoleWithWebIdentity must not wait
 * for SimulatePrincipalPolicy (in issue 20's timeline they started only after it). Asserted on
 * the facts the modules declare and on a run whose simulator never answers until the proof is
 * done: no clock is read, so a loaded machine cannot make it pass or fail.
 */
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CHECK_MODULES } from '../src/checks/index.js';
import type { CheckModule } from '../src/engine/module.js';
import type { FactKey } from '../src/engine/facts.js';
import { publicIssuer } from '../src/platform/public-issuer.js';
import type { Aws } from '../src/ports/aws.js';
import type { Kube } from '../src/ports/kube.js';
import { runChecks } from './support/module-run.js';
import { cloneWorld, loadWorld, type WorldModel } from './support/world.js';

const byId = (id: string): CheckModule => CHECK_MODULES.find((m) => m.id === id)!;

/** Every module whose facts `module` needs or uses, directly or through their own providers. */
function upstream(module: CheckModule): Set<string> {
  const provider = new Map<FactKey, CheckModule>();
  for (const m of CHECK_MODULES) for (const key of m.provides) provider.set(key, m);
  const seen = new Set<string>();
  const visit = (m: CheckModule) => {
    for (const key of [...m.needs, ...m.uses]) {
      const p = provider.get(key);
      if (p && !seen.has(p.id)) {
        seen.add(p.id);
        visit(p);
      }
    }
  };
  visit(module);
  return seen;
}

const ISSUER = 'https://oidc.eks.eu-west-1.amazonaws.com/id/5C9F1A2B3D4E5F60718293A4B5C6D7E8';

/** The healthy 8.8 world whose API server issues tokens STS accepts (as in test/checks/token.test.ts). */
async function provableWorld(): Promise<WorldModel> {
  const w = cloneWorld(loadWorld('camunda-8.8-healthy.yaml'));
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  w.kube.issuer = { configuration: { issuer: ISSUER, jwks_uri: `${ISSUER}/keys` }, jwks };
  w.kube.publicIssuer = { issuer: ISSUER, jwksUri: `${ISSUER}/keys`, jwks };
  w.kube.tokenFor = async (ns, sa, audience, seconds) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: ISSUER, aud: [audience], sub: `system:serviceaccount:${ns}:${sa}` })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + seconds)
      .sign(privateKey);
  };
  w.aws.assumeRole = Object.fromEntries(
    (w.aws.roles ?? []).map((r) => [
      r.arn,
      { assumedRoleArn: r.arn.replace(':iam:', ':sts:').replace(':role/', ':assumed-role/') + '/irsa-check' },
    ]),
  );
  return w;
}

describe('the pod-less proof does not wait for IAM’s policy simulator', () => {
  it('no fact the token proof needs or uses comes from the roles module (the one that simulates), directly or not', () => {
    const token = upstream(byId('token'));
    // The proof's inputs: the plan, the annotated roles, the caller, the cluster's issuer.
    expect([...token]).toEqual(expect.arrayContaining(['release', 'plan', 'service-accounts', 'preflight']));
    expect(token.has('roles')).toBe(false);
    // The injection proof (dry-run pods) likewise.
    expect(upstream(byId('injection')).has('roles')).toBe(false);
  });

  describe('a run whose SimulatePrincipalPolicy answers only after the proof’s STS calls', () => {
    beforeEach(() => {
      // The world answers the issuer's public discovery; nothing leaves the process.
      vi.spyOn(publicIssuer, 'fetch').mockRejectedValue(new Error('no network in unit tests'));
    });
    afterEach(() => vi.restoreAllMocks());

    it('every component’s TokenRequest and AssumeRoleWithWebIdentity are made while every simulation is still unanswered', async () => {
      const world = await provableWorld();
      const roles = (world.kube.serviceAccounts ?? []).filter((sa) =>
        Object.keys(sa.annotations ?? {}).includes('eks.amazonaws.com/role-arn'),
      ).length;
      expect(roles).toBe(5);
      const order: string[] = [];
      let openGate!: () => void;
      const gate = new Promise<void>((resolve) => (openGate = resolve));
      let stsCalls = 0;
      const holdSimulator = (aws: Aws): Aws =>
        new Proxy(aws, {
          get(target, prop, receiver) {
            const value = Reflect.get(target, prop, receiver) as unknown;
            if (prop === 'simulatePrincipalPolicy') {
              return (...args: Parameters<Aws['simulatePrincipalPolicy']>) => {
                order.push('simulate asked');
                return gate.then(() => {
                  order.push('simulate answered');
                  return target.simulatePrincipalPolicy(...args);
                });
              };
            }
            if (prop === 'assumeRoleWithWebIdentity') {
              return (...args: Parameters<Aws['assumeRoleWithWebIdentity']>) => {
                order.push('AssumeRoleWithWebIdentity');
                // The last component's STS call opens the simulator: had the proof waited for
                // it, this call would never come and the run would never end.
                if (++stsCalls === roles) openGate();
                return target.assumeRoleWithWebIdentity(...args);
              };
            }
            return typeof value === 'function' ? value.bind(target) : value;
          },
        });
      const recordTokens = (kube: Kube): Kube =>
        new Proxy(kube, {
          get(target, prop, receiver) {
            const value = Reflect.get(target, prop, receiver) as unknown;
            if (prop === 'requestToken') {
              return (...args: Parameters<Kube['requestToken']>) => {
                order.push('TokenRequest');
                return target.requestToken(...args);
              };
            }
            return typeof value === 'function' ? value.bind(target) : value;
          },
        });
      const r = await runChecks(world, CHECK_MODULES, {
        options: { spawn: false, token: true },
        aws: holdSimulator,
        kube: recordTokens,
      });
      // The proof ran for every component, and the simulator was asked (the permission checks ran).
      expect(order.filter((o) => o === 'TokenRequest')).toHaveLength(roles);
      expect(order.filter((o) => o === 'AssumeRoleWithWebIdentity')).toHaveLength(roles);
      expect(order).toContain('simulate asked');
      // Every STS call of the proof came before the simulator's first answer.
      const firstAnswer = order.indexOf('simulate answered');
      expect(firstAnswer).toBeGreaterThan(order.lastIndexOf('AssumeRoleWithWebIdentity'));
      expect(r.lines('token').filter((l) => l.startsWith('[OK]'))).toHaveLength(roles);
    });
  });
});
