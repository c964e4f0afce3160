/**
 * The OpenSearch index patterns each Camunda component writes and reads: what its role must be
 * granted in OpenSearch. The defaults come from the application sources (camunda/camunda):
 * - `zeebe-record`: the Zeebe OpenSearch exporter, OpensearchExporterConfiguration
 *   IndexConfiguration.prefix; Operate, Tasklist and Optimize read it;
 * - `operate`, `tasklist`: their index prefixes; `optimize`: Optimize's environment-config.yaml,
 *   `opensearch.settings.index.prefix` (the chart never sets it);
 * - `camunda`: 8.8+, the orchestration cluster's harmonized indices (webapps-schema), written by
 *   the Camunda exporter beside the operate-* and tasklist-* indices.
 *
 * What the values change, per chart (camunda/camunda-platform-helm, charts/camunda-platform-8.x):
 * - chart ≤ 12 (8.6/8.7): zeebe/configmap.yaml gives the OpenSearch exporter no index prefix, and
 *   operate/ and tasklist/configmap.yaml set their Zeebe prefix only for Elasticsearch: Zeebe
 *   writes and Operate/Tasklist read `zeebe-record*` whatever the values say; Optimize reads
 *   `global.opensearch.prefix` (optimize/configmap.yaml, zeebe.name).
 * - chart 13 (8.8): orchestration/files/_application-unified.yaml: the Zeebe OpenSearch exporter's
 *   index.prefix is `global.opensearch.prefix`; `orchestration.index.prefix` is the secondary
 *   storage's index-prefix and the Camunda exporter's indexPrefix. A non-blank prefix P names the
 *   harmonized indices `P-<component>-<index>-<version>_` (webapps-schema AbstractIndexDescriptor,
 *   getFullQualifiedName with the global prefix), so `P-camunda-*`, `P-operate-*`, `P-tasklist-*`.
 *   Optimize reads `global.opensearch.prefix` (optimize/configmap.yaml).
 * - chart 14, 15 (8.9, 8.10): the exporter's prefix is `optimize.database.opensearch.prefix`, else
 *   `global.opensearch.prefix` (orchestration/files/_application.yaml), and Optimize reads the same
 *   (optimize/_helpers.tpl, optimize.indexPrefix). 8.10 deprecates `orchestration.index.prefix` in
 *   favour of the orchestration's extra configuration (common/constraints.tpl), which is not read
 *   here: a prefix set only there is not known.
 */
import type { Values } from '../values.js';

export interface IndexNeeds {
  /** Index patterns the component creates and writes (crud + create_index). */
  write: string[];
  /** Index patterns it only reads. */
  read: string[];
  /** The values that moved a pattern off its default: `orchestration.index.prefix "c8"`. */
  custom: string[];
}

const ZEEBE_DEFAULT = 'zeebe-record';

/** A prefix value in force, and the value key it came from when the user set it. */
interface Prefix {
  value: string;
  from?: string;
}

/** The first of `keys` that has a non-blank value, else the default. */
function prefixOf(values: Values | undefined, keys: readonly string[], fallback: string): Prefix {
  for (const key of keys) {
    const v = values?.string(key)?.trim();
    if (v) return { value: v, ...(values?.source(key) === 'user' && v !== fallback ? { from: key } : {}) };
  }
  return { value: fallback };
}

/**
 * What `component` writes and reads under chart `major` with these values; undefined for a
 * component that does not use OpenSearch indices of its own.
 */
export function indexNeeds(component: string, values?: Values, major = 13): IndexNeeds | undefined {
  const custom: string[] = [];
  const note = (p: Prefix) => {
    if (p.from) custom.push(`${p.from} "${p.value}"`);
    return p.value;
  };
  const zeebeKeys =
    major >= 14
      ? ['optimize.database.opensearch.prefix', 'global.opensearch.prefix']
      : ['global.opensearch.prefix'];
  switch (component) {
    case 'orchestration': {
      // Chart 13+: one orchestration cluster (Zeebe, Operate, Tasklist, Identity).
      const zeebe = note(prefixOf(values, zeebeKeys, ZEEBE_DEFAULT));
      const own = note(prefixOf(values, ['orchestration.index.prefix'], ''));
      const p = own ? `${own}-` : '';
      return { write: [`${p}camunda-*`, `${p}operate-*`, `${p}tasklist-*`, `${zeebe}*`], read: [], custom };
    }
    // Chart ≤ 12: each application its own; the chart gives none of them an OpenSearch prefix.
    case 'zeebe':
      return { write: [`${ZEEBE_DEFAULT}*`], read: [], custom };
    case 'operate':
      return { write: ['operate-*'], read: [`${ZEEBE_DEFAULT}*`], custom };
    case 'tasklist':
      return { write: ['tasklist-*'], read: [`${ZEEBE_DEFAULT}*`], custom };
    case 'optimize': {
      const zeebe = note(prefixOf(values, zeebeKeys, ZEEBE_DEFAULT));
      return { write: ['optimize-*'], read: [`${zeebe}*`], custom };
    }
    default:
      return undefined;
  }
}
