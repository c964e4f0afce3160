/**
 * The registry: every check module, in report order. Adding a check = adding or
 * editing one module here; nothing else changes. Loading it validates the
 * contract: check IDs unique across modules, one provider per fact, providers
 * before the modules that read their facts.
 */
import type { CheckModule } from '../engine/module.js';
import { Catalogue } from '../core/catalogue.js';
import { validateRegistry } from '../engine/dispatch.js';
import { preflight } from './preflight.js';
import { release } from './release.js';
import { cluster } from './cluster.js';
import { issuerChain } from './issuer-chain.js';
import { webhook } from './webhook.js';
import { injection } from '../proofs/injection.js';
import { plan } from './plan.js';
import { documentStore } from './document-store.js';
import { openSearchValues } from './opensearch-values.js';
import { openSearch } from './opensearch.js';
import { databaseValues } from './database-values/index.js';
import { aurora } from './aurora.js';
import { serviceAccounts } from './service-accounts.js';
import { roles } from './roles/index.js';
import { token } from '../proofs/token.js';
import { jobs } from '../proofs/jobs.js';
import { imds } from './imds.js';
import { podIdentity } from './pod-identity.js';
import { roleInUse } from './role-in-use.js';
import { privateSts } from './private-sts.js';
import { podLogs } from './pod-logs.js';
import { dataPlane } from '../proofs/data-plane/index.js';

export const CHECK_MODULES: readonly CheckModule[] = [
  preflight,
  release,
  cluster,
  issuerChain,
  plan,
  podIdentity,
  documentStore,
  openSearchValues,
  openSearch,
  databaseValues,
  aurora,
  serviceAccounts,
  webhook,
  injection,
  roles,
  token,
  jobs,
  imds,
  roleInUse,
  privateSts,
  dataPlane,
  podLogs,
];

validateRegistry(CHECK_MODULES);

/** Every check irsa-check can report, from the modules' own declarations. */
export const CATALOGUE = new Catalogue(CHECK_MODULES.map((m) => ({ module: m.id, checks: m.checks })));
