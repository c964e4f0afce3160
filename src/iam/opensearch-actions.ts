/**
 * The IAM actions of the HTTP requests Camunda's OpenSearch clients send to an Amazon OpenSearch
 * Service domain. Amazon OpenSearch Service authorizes each request by its HTTP method as
 * es:ESHttp<Method> (Amazon OpenSearch Service developer guide, "Identity and Access Management in
 * Amazon OpenSearch Service", and its API reference's list of es:ESHttp* actions); `es:ESHttp*` in
 * a policy covers them all.
 *
 * Camunda's IRSA guide grants exactly these five (Camunda docs, "IAM roles for service accounts",
 * "Amazon OpenSearch Service" → "Setup" → "AWS Policy": es:ESHttpGet, ESHttpHead, ESHttpDelete,
 * ESHttpPost, ESHttpPut on domain/<name>/*), and Camunda's own code sends HEAD and DELETE besides
 * GET/PUT/POST (camunda/camunda, schema-manager/src/main/java/io/camunda/search/schema/opensearch/
 * OpensearchEngineClient.java: `indices().existsIndexTemplate` and `indices().exists` are
 * HEAD /_index_template/<name> and HEAD /<index>; `deleteIndex` is DELETE /<index>, used by
 * schema-manager's SchemaCleanup.java to remove legacy indices).
 *
 * The one list: the roles check judges the role's own policies and the domain access policy on it,
 * asks IAM's policy simulator about it, and the data-plane proof weighs the domain policy on it.
 */
export const CAMUNDA_ES_ACTIONS = [
  'es:ESHttpGet',
  'es:ESHttpHead',
  'es:ESHttpPut',
  'es:ESHttpPost',
  'es:ESHttpDelete',
] as const;

export type CamundaEsAction = (typeof CAMUNDA_ES_ACTIONS)[number];

/** What Camunda sends each request for (same sources as above), said when only some are refused. */
export const CAMUNDA_ES_ACTION_USE: Readonly<Record<CamundaEsAction, string>> = {
  'es:ESHttpGet': 'to read documents, mappings and templates',
  'es:ESHttpHead': 'to check that indices and index templates exist',
  'es:ESHttpPut': 'to create indices, index templates and mappings',
  'es:ESHttpPost': 'to write, bulk-index and search',
  'es:ESHttpDelete': 'to delete indices',
};
