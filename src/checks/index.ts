/**
 * The registry: every check module, in run order. Adding a check = adding or
 * editing one module here; nothing else changes.
 */
import type { CheckModule } from '../core/module.js';
import { preflight } from './preflight.js';
import { release } from './release.js';
import { cluster } from './cluster.js';
import { plan } from './plan.js';
import { openSearchValues } from './opensearch-values.js';
import { openSearch } from './opensearch.js';
import { databaseValues } from './database-values.js';
import { aurora } from './aurora.js';
import { serviceAccounts } from './service-accounts.js';
import { roles } from './roles.js';
import { token } from './token.js';
import { jobs } from './jobs.js';
import { imds } from './imds.js';
import { podIdentity } from './pod-identity.js';
import { roleInUse } from './role-in-use.js';
import { privateSts } from './private-sts.js';
import { podLogs } from './pod-logs.js';
import { dataPlane } from './data-plane.js';

export const CHECK_MODULES: readonly CheckModule[] = [
  preflight,
  release,
  cluster,
  plan,
  openSearchValues,
  openSearch,
  databaseValues,
  aurora,
  serviceAccounts,
  roles,
  token,
  jobs,
  imds,
  podIdentity,
  roleInUse,
  privateSts,
  dataPlane,
  podLogs,
];
