/**
 * The index patterns each component must be granted in OpenSearch, per chart major and values,
 * as the chart templates wire the prefixes (camunda/camunda-platform-helm, charts/camunda-platform-8.x:
 * zeebe/configmap.yaml and optimize/configmap.yaml ≤ 8.7; orchestration/files/_application-unified.yaml
 * 8.8; orchestration/files/_application.yaml and optimize/_helpers.tpl 8.9/8.10) and webapps-schema's
 * AbstractIndexDescriptor names a prefixed index (`<prefix>-<component>-<index>-<version>_`).
 */
import { describe, expect, it } from 'vitest';
import { indexNeeds } from '../../src/helm/chart/index-prefixes.js';
import { Values } from '../../src/helm/values.js';

const DEFAULTS = {
  global: { opensearch: { prefix: 'zeebe-record' } },
  orchestration: { index: { prefix: '' } },
  optimize: { database: { opensearch: { prefix: '' } } },
};
const values = (user: Record<string, unknown>) => new Values(DEFAULTS, user);

describe('indexNeeds', () => {
  it.each<[string, string, number, Record<string, unknown>, ReturnType<typeof indexNeeds>]>([
    [
      'defaults, 8.8',
      'orchestration',
      13,
      {},
      { write: ['camunda-*', 'operate-*', 'tasklist-*', 'zeebe-record*'], read: [], custom: [] },
    ],
    [
      'orchestration.index.prefix and global.opensearch.prefix, 8.8',
      'orchestration',
      13,
      { orchestration: { index: { prefix: 'c8' } }, global: { opensearch: { prefix: 'c8-zeebe' } } },
      {
        write: ['c8-camunda-*', 'c8-operate-*', 'c8-tasklist-*', 'c8-zeebe*'],
        read: [],
        custom: ['global.opensearch.prefix "c8-zeebe"', 'orchestration.index.prefix "c8"'],
      },
    ],
    [
      '8.8 does not read optimize.database.opensearch.prefix',
      'optimize',
      13,
      { optimize: { database: { opensearch: { prefix: 'mine' } } } },
      { write: ['optimize-*'], read: ['zeebe-record*'], custom: [] },
    ],
    [
      '8.9+: optimize.database.opensearch.prefix before global.opensearch.prefix, for the exporter and Optimize',
      'orchestration',
      14,
      {
        optimize: { database: { opensearch: { prefix: 'opt-zeebe' } } },
        global: { opensearch: { prefix: 'g-zeebe' } },
      },
      {
        write: ['camunda-*', 'operate-*', 'tasklist-*', 'opt-zeebe*'],
        read: [],
        custom: ['optimize.database.opensearch.prefix "opt-zeebe"'],
      },
    ],
    [
      '8.9+: Optimize reads the same prefix',
      'optimize',
      15,
      { optimize: { database: { opensearch: { prefix: 'opt-zeebe' } } } },
      {
        write: ['optimize-*'],
        read: ['opt-zeebe*'],
        custom: ['optimize.database.opensearch.prefix "opt-zeebe"'],
      },
    ],
    [
      '8.7: the chart gives the OpenSearch exporter no prefix, Zeebe writes zeebe-record whatever the values say',
      'zeebe',
      12,
      { global: { opensearch: { prefix: 'mine' } } },
      { write: ['zeebe-record*'], read: [], custom: [] },
    ],
    [
      '8.7: Optimize reads global.opensearch.prefix (zeebe.name)',
      'optimize',
      12,
      { global: { opensearch: { prefix: 'mine' } } },
      { write: ['optimize-*'], read: ['mine*'], custom: ['global.opensearch.prefix "mine"'] },
    ],
    [
      '8.7: Operate reads the exporter default',
      'operate',
      12,
      { global: { opensearch: { prefix: 'mine' } } },
      { write: ['operate-*'], read: ['zeebe-record*'], custom: [] },
    ],
    ['a component without indices of its own', 'connectors', 13, {}, undefined],
  ])('%s', (_name, component, major, user, expected) => {
    expect(indexNeeds(component, values(user), major)).toEqual(expected);
  });

  it('a blank prefix is the default, not "-camunda-*"', () => {
    expect(
      indexNeeds('orchestration', values({ orchestration: { index: { prefix: '  ' } } }), 13)?.write,
    ).toEqual(['camunda-*', 'operate-*', 'tasklist-*', 'zeebe-record*']);
  });
});
