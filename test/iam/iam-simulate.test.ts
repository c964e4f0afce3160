/**
 * iam-simulate's resource and condition tests (cloud-copilot/iam-simulate, transcribed in
 * iam-simulate-cases.ts), run through irsa-check's evaluator. Each case asserts, first, no false
 * Allow: where upstream's verdict refuses the request, irsa-check never allows it; then the exact
 * verdict, which is upstream's except for the deliberate "Undetermined" listed below (each one a
 * reading the IAM User Guide leaves open; src/iam/policy.ts header, src/iam/conditions.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  evaluate,
  evaluateWithBoundary,
  normalizePolicy,
  type Decision,
  type DecisionKind,
  type Request,
} from '../../src/iam/policy.js';
import {
  CONDITION_CASES,
  RESOURCE_CASES,
  type ConditionCase,
  type ResourceCase,
} from './iam-simulate-cases.js';

const doc = (...Statement: Array<Record<string, unknown>>) =>
  normalizePolicy({ Version: '2012-10-17', Statement });
const ALLOW_ALL = { Sid: 'All', Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' };
const PRINCIPAL = { type: 'AWS' as const, id: 'arn:aws:iam::111111111111:role/app' };

/**
 * Where irsa-check deliberately answers "Undetermined" instead of upstream's refusal: readings
 * the IAM User Guide does not settle (src/iam/policy.ts header lists them). Matched on the
 * reason the evaluator gives, so every other case must give upstream's exact verdict.
 */
const DELIBERATE_UNDETERMINED: Array<[RegExp, string]> = [
  [
    /has a wildcard in the resource-type part/,
    'upstream reads it as a literal ("Identify AWS resources with ARNs", incorrect wildcard usage)',
  ],
  [/names a multivalued key/, 'upstream: no match; the guide: a multivalued key cannot be a variable'],
  [/has no value in this request/, 'the guide: an unresolved variable may make the statement invalid'],
  [
    /is not a six-part ARN pattern/,
    'a short NotResource or ARN-condition pattern: upstream does not invert its mismatch',
  ],
  [/is not an ARN$/, 'an ARN condition on a value that is no ARN'],
  [
    /is not true or false/,
    'a variable in Bool: the guide documents variables for string and ARN operators only',
  ],
  [/is not a (number|date)|is not an IP address/, 'a value the operator cannot read: not documented'],
];

/** Upstream's verdict irsa-check does not share, and why; none of them is an Allow upstream refuses. */
const OTHER_DEVIATIONS: Record<string, DecisionKind> = {
  // 1704067200000 is milliseconds; the guide's Date operators take epoch (UNIX) seconds.
  'src/condition/date/DateEquals.test.ts › DateEquals › should match dates to epochs': 'ImplicitDeny',
};

function expectUpstream(title: string, upstream: DecisionKind, d: Decision): void {
  // First: never an Allow where upstream refuses.
  if (upstream !== 'Allow') expect(d.decision).not.toBe('Allow');
  if (OTHER_DEVIATIONS[title]) return expect(d.decision).toBe(OTHER_DEVIATIONS[title]);
  if (d.decision === 'Undetermined' && d.undetermined.length > 0) {
    const reasons = d.undetermined.flatMap((u) => u.reasons);
    const deliberate = reasons.every((r) => DELIBERATE_UNDETERMINED.some(([re]) => re.test(r)));
    expect(deliberate, `undetermined for an undocumented reason: ${reasons.join('; ')}`).toBe(true);
    return;
  }
  expect(d.decision).toBe(upstream);
}

function resourceVerdict(c: ResourceCase): Decision {
  const statement = {
    Sid: 'S',
    Effect: c.effect,
    Action: '*',
    [c.element]: c.patterns,
    ...(c.policyType === 'resource' ? { Principal: '*' } : {}),
  };
  const request: Request = {
    action: 'sqs:SendMessage',
    resource: c.request,
    context: c.context ?? {},
    otherKeys: 'absent',
    principal: PRINCIPAL,
  };
  const set = c.effect === 'Allow' ? doc(statement) : doc(ALLOW_ALL, statement);
  if (c.policyType === 'pb') return evaluateWithBoundary([doc(ALLOW_ALL)], set, request);
  return evaluate([set], request, { kind: c.policyType === 'resource' ? 'resource' : 'identity' });
}

describe('iam-simulate src/resource/resource.test.ts', () => {
  it.each(RESOURCE_CASES.map((c) => ({ ...c, title: `${c.policyType} ${c.element} › ${c.name}` })))(
    '$title',
    (c) => {
      const upstream: DecisionKind =
        c.effect === 'Allow'
          ? c.expectMatch
            ? 'Allow'
            : 'ImplicitDeny'
          : c.expectMatch
            ? 'ExplicitDeny'
            : 'Allow';
      expectUpstream(c.title, upstream, resourceVerdict(c));
    },
  );
});

function conditionVerdict(c: ConditionCase): Decision {
  const statement = {
    Sid: 'S',
    Effect: 'Allow',
    Action: '*',
    Resource: '*',
    Condition: { [c.operator]: { 'test:key': c.policyValues } },
  };
  return evaluate([doc(statement)], {
    action: 'sqs:SendMessage',
    resource: 'arn:aws:sqs:us-east-1:111111111111:q',
    context: { ...c.context, 'test:key': c.testValue },
    otherKeys: 'absent',
  });
}

describe('iam-simulate src/condition/**/*.test.ts', () => {
  it.each(CONDITION_CASES.map((c) => ({ ...c, title: `${c.file} › ${c.operator} › ${c.name}` })))(
    '$title',
    (c) => {
      const upstream: DecisionKind = c.expected ? 'Allow' : 'ImplicitDeny';
      expectUpstream(c.title, upstream, conditionVerdict(c));
    },
  );
});
