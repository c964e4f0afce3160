/**
 * The OpenSearch index prefixes each Camunda component writes and reads, as the applications
 * default them (the chart sets none): what its role must be granted in OpenSearch. From the
 * application sources (camunda/camunda):
 * - `zeebe-record`: the Zeebe OpenSearch exporter, OpensearchExporterConfiguration
 *   IndexConfiguration.prefix; Operate, Tasklist and Optimize read it
 *   (ZeebeElasticsearchProperties.prefix, Optimize's ZeebeConstants);
 * - `operate`: OperateOpensearchProperties/OperateElasticsearchProperties indexPrefix;
 * - `tasklist`: TasklistElasticsearchProperties.DEFAULT_INDEX_PREFIX;
 * - `optimize`: Optimize's environment-config.yaml, `opensearch.settings.index.prefix`;
 * - `camunda`: 8.8+, the orchestration cluster's harmonized indices (webapps-schema), written by
 *   the Camunda exporter beside the operate-* and tasklist-* indices.
 * A custom prefix set in the values is not read here: the evaluator says "default prefixes".
 */
export interface IndexNeeds {
  /** Index patterns the component creates and writes (crud + create_index). */
  write: string[];
  /** Index patterns it only reads. */
  read: string[];
}

const NEEDS: Record<string, IndexNeeds> = {
  // Chart 13+ (Camunda 8.8+): one orchestration cluster (Zeebe, Operate, Tasklist, Identity).
  orchestration: { write: ['camunda-*', 'operate-*', 'tasklist-*', 'zeebe-record*'], read: [] },
  // Chart ≤ 12 (Camunda 8.6/8.7): each application its own.
  zeebe: { write: ['zeebe-record*'], read: [] },
  operate: { write: ['operate-*'], read: ['zeebe-record*'] },
  tasklist: { write: ['tasklist-*'], read: ['zeebe-record*'] },
  optimize: { write: ['optimize-*'], read: ['zeebe-record*'] },
};

/** undefined for a component that does not use OpenSearch indices of its own. */
export function indexNeeds(component: string): IndexNeeds | undefined {
  return NEEDS[component];
}
