import { describe, expect, it } from 'vitest';
import { closingFindings } from '../../src/report/closing.js';
import { cloneWorld, loadWorld, runWorld } from '../support/world.js';

const healthy = loadWorld('camunda-8.8-healthy.yaml');

function withCallerError(reason: string, message: string) {
  const world = cloneWorld(healthy);
  world.aws.errors = { callerIdentity: { api: 'aws', operation: 'sts:GetCallerIdentity', reason, message } };
  return world;
}

describe('preflight: AWS credentials, worded for a person (fatal, exit 1)', () => {
  it.each([
    [
      'an unknown --profile',
      withCallerError(
        'CredentialsProviderError',
        'Could not resolve credentials using profile: [nope] in configuration/credentials file(s).',
      ),
      { profile: 'nope' },
      '[FAIL] AWS profile "nope" is not configured',
    ],
    [
      'no credentials at all',
      withCallerError('CredentialsProviderError', 'Could not load credentials from any providers'),
      {},
      '[FAIL] no AWS credentials found',
    ],
    [
      'an expired SSO session',
      withCallerError('ExpiredToken', 'The security token included in the request is expired'),
      { profile: 'prod' },
      '[FAIL] AWS credentials have expired (ExpiredToken)',
    ],
  ])('%s', async (_name, world, options, line) => {
    const run = await runWorld(world, options);
    expect(run.lines('preflight')).toEqual([
      '[INFO] platform: EKS (the API server https://5C9F1A2B3D4E5F60718293A4B5C6D7E8.gr7.eu-west-1.eks.amazonaws.com is an EKS endpoint)',
      '[OK] AWS environment detected: 3 node(s) with an aws:// provider ID',
      line,
    ]);
    expect(run.exitCode).toBe(1);
    // Nothing after a fatal precondition, and no IRSA troubleshooting text that would not help.
    expect(run.findings.map((f) => f.module)).toEqual(['preflight', 'preflight', 'preflight', 'summary']);
  });
});

describe('closing lines', () => {
  it('IRSA guidance only when an IRSA check failed', () => {
    const fatal = closingFindings([
      { level: 'FAIL', code: 1, module: 'preflight', message: 'no AWS credentials found' },
    ]);
    expect(fatal.map((f) => f.message)).toEqual([
      'irsa-check: At least one of the checks failed (error code: 1).',
    ]);
    const irsa = closingFindings([{ level: 'FAIL', code: 202, module: 'roles', message: 'trust policy …' }]);
    expect(irsa.map((f) => f.level)).toEqual(['INFO', 'INFO', 'INFO', 'FAIL']);
    expect(closingFindings([{ level: 'WARN', module: 'roles', message: 'w' }])).toEqual([
      { level: 'OK', module: 'summary', message: 'irsa-check: All checks passed.' },
    ]);
  });
});
