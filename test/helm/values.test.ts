import { describe, expect, it } from 'vitest';
import { coalesce, Values } from '../../src/helm/values.js';

describe('Values resolve like Helm: chart defaults deep-merged with user values', () => {
  const defaults = {
    identityKeycloak: {
      enabled: true,
      postgresql: { enabled: true },
      image: { repository: 'bitnami/keycloak' },
    },
    identity: { env: [{ name: 'A', value: '1' }], externalDatabase: { port: 5432, host: '' } },
    global: { elasticsearch: { enabled: true } },
  };
  const user = {
    identityKeycloak: { enabled: false, image: null },
    identity: { env: [{ name: 'B', value: 'two' }], externalDatabase: { host: 'db.example.com' } },
    global: { opensearch: { enabled: 'true' } },
  };
  const v = new Values(defaults, user);

  it.each([
    ['identityKeycloak.enabled', false, 'user'], // an explicit false beats a true default (jq's `//` lost it)
    ['identityKeycloak.postgresql.enabled', true, 'default'],
    ['identity.externalDatabase.host', 'db.example.com', 'user'],
    ['identity.externalDatabase.port', 5432, 'default'],
    ['global.elasticsearch.enabled', true, 'default'],
  ])('%s = %j from %s', (path, value, source) => {
    expect(v.get(path)).toEqual(value);
    expect(v.source(path)).toBe(source);
  });

  it('null in user values deletes the default', () => {
    expect(v.has('identityKeycloak.image')).toBe(false);
    expect(v.get('identityKeycloak.image.repository')).toBeUndefined();
    expect(v.source('identityKeycloak.image')).toBeUndefined();
  });

  it('lists are replaced, not merged', () => {
    expect([...v.env('identity.env')]).toEqual([['B', 'two']]);
  });

  it('booleans: real booleans and "true"/"false" strings; anything else is undefined', () => {
    expect(v.bool('identityKeycloak.enabled')).toBe(false);
    expect(v.bool('global.opensearch.enabled')).toBe(true);
    expect(v.bool('identity.externalDatabase.host')).toBeUndefined();
  });

  it('string() treats empty strings as unset', () => {
    expect(new Values({ a: { host: '' } }, {}).string('a.host')).toBeUndefined();
    expect(new Values({ a: { port: 5432 } }, {}).string('a.port')).toBe('5432');
  });

  it('sub-chart defaults sit under the chart defaults and the user values', () => {
    const withSub = new Values({ kc: { a: 1 } }, { kc: { b: 2 } }).withBaseDefaults({ kc: { a: 0, c: 3 } });
    expect(withSub.get('kc')).toEqual({ a: 1, b: 2, c: 3 });
  });

  it('coalesce keeps defaults when the user value is undefined', () => {
    expect(coalesce({ a: 1 }, undefined)).toEqual({ a: 1 });
  });
});
