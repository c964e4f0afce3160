/**
 * The registry: every check module, in run order. Adding a check = adding or
 * editing one module here; nothing else changes.
 */
import type { CheckModule } from '../core/module.js';
import { preflight } from './preflight.js';
import { release } from './release.js';
import { cluster } from './cluster.js';
import { issuerChain } from './issuer-chain.js';
import { webhook } from './webhook.js';
import { injection } from './injection.js';
import { plan } from './plan.js';
import { openSearchValues } from './opensearch-values.js';
import { openSearch } from './opensearch.js';
import { databaseValues } from './database-values.js';
import { aurora } from './aurora.js';
import { serviceAccounts } from './service-accounts.js';
import { roles } from './roles.js';
import { token } from './token.js';
import { jobs } from './jobs.js';

export const CHECK_MODULES: readonly CheckModule[] = [
  preflight,
  release,
  cluster,
  issuerChain,
  plan,
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
];
