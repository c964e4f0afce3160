/**
 * The IAM actions of the HTTP requests Camunda's OpenSearch clients send to an Amazon OpenSearch
 * Service domain: index and template creation (PUT), writes, bulk and searches (POST), reads (GET),
 * existence checks of indices, aliases and templates (HEAD) and the deletion of old indices and
 * documents by the archivers and retention (DELETE). Amazon OpenSearch Service authorizes each
 * request by its HTTP method as es:ESHttp<Method> (Amazon OpenSearch Service developer guide,
 * "Identity and Access Management in Amazon OpenSearch Service", and its API reference's list of
 * es:ESHttp* actions); `es:ESHttp*` in a policy covers them all. One list for the role's own
 * policies and the domain access policy, so both are judged on the same requests.
 */
export const CAMUNDA_ES_ACTIONS = [
  'es:ESHttpGet',
  'es:ESHttpHead',
  'es:ESHttpPut',
  'es:ESHttpPost',
  'es:ESHttpDelete',
] as const;
