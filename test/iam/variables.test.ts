import { describe, expect, it } from 'vitest';
import { piecesRegExp, piecesText, resolve, type KeyLookup } from '../../src/iam/variables.js';

const lookup: KeyLookup = (key) => {
  const k = key.toLowerCase();
  if (k === 'aws:username') return { kind: 'present', values: ['martha'] };
  if (k === 'aws:tagkeys') return { kind: 'present', values: ['a', 'b'] };
  if (k === 'aws:userid') return { kind: 'absent' };
  return { kind: 'unknown' };
};
const text = (s: string, substitute = true) => {
  const r = resolve(s, substitute, lookup);
  return r.kind === 'pieces' ? piecesText(r.pieces) : r;
};

describe('policy variables', () => {
  it.each([
    ['home/${aws:username}/', 'home/martha/'],
    ['home/${AWS:UserName}/', 'home/martha/'],
    ["${aws:userid, 'anonymous'}", 'anonymous'],
    ["${ aws:userid , 'anon ymous' }", 'anon ymous'],
    ["${aws:username, 'anonymous'}", 'martha'],
    ['a${*}b${?}c${$}d', 'a*b?c$d'],
    ['unterminated ${aws:username', 'unterminated ${aws:username'],
    ['$ alone and {braces}', '$ alone and {braces}'],
  ])('%s → %s', (input, expected) => {
    expect(text(input)).toBe(expected);
  });

  it('keeps ${…} literal when the document version does not substitute', () => {
    expect(text('home/${aws:username}', false)).toBe('home/${aws:username}');
  });

  it('a variable without value and without default has no value', () => {
    expect(text('x/${aws:userid}')).toEqual({ kind: 'no-value', variable: '${aws:userid}' });
  });

  it('an unknown key, a multivalued key and a malformed variable are unknown', () => {
    expect(text('${aws:SourceVpc}')).toEqual({
      kind: 'unknown',
      reason: 'policy variable ${aws:SourceVpc} has a value irsa-check cannot know',
    });
    expect(text('${aws:TagKeys}')).toEqual({
      kind: 'unknown',
      reason: 'policy variable ${aws:TagKeys} names a multivalued key',
    });
    expect(text("${aws:userid, 'a', 'b'}")).toEqual({
      kind: 'unknown',
      reason: "policy variable ${aws:userid, 'a', 'b'} is not well-formed",
    });
  });

  it('a substituted * is a literal, a written * a wildcard', () => {
    const r = resolve('a/${*}/*', true, lookup);
    if (r.kind !== 'pieces') throw new Error('expected pieces');
    const re = piecesRegExp(r.pieces, 'flat');
    expect(re.test('a/*/anything')).toBe(true);
    expect(re.test('a/x/anything')).toBe(false);
  });

  it('in arn mode a wildcard stays inside its segment until the resource part', () => {
    const r = resolve('arn:aws:s3:*:*:bucket/*', true, lookup);
    if (r.kind !== 'pieces') throw new Error('expected pieces');
    const re = piecesRegExp(r.pieces, 'arn');
    expect(re.test('arn:aws:s3:::bucket/a:b/c')).toBe(true);
    expect(re.test('arn:aws:s3:eu:1:2:bucket/a')).toBe(false);
  });
});
