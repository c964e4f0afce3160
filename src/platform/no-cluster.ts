/**
 * Values-only mode without a cluster (a pre-merge CI gate for GitOps repositories): the Kube every
 * module sees when `--values` is given and no kubeconfig exists. It answers nothing. The run says
 * why in its scope (RunScope.noCluster); modules that need the cluster declare the fact
 * `kubernetes` and the dispatcher skips them with one INFO each.
 */
import { NoClusterError } from '../core/errors.js';
import type { Kube } from '../ports/kube.js';

export { NoClusterError };

export class NoCluster implements Kube {
  constructor(readonly reason: string) {}
  private refuse(): Promise<never> {
    return Promise.reject(new NoClusterError(`no Kubernetes cluster: ${this.reason}`));
  }
  clusterInfo = () => this.refuse();
  namespaceExists = () => this.refuse();
  namespaces = () => this.refuse();
  nodes = () => this.refuse();
  helmReleaseRecords = () => this.refuse();
  serviceAccount = () => this.refuse();
  serviceAccounts = () => this.refuse();
  pods = () => this.refuse();
  service = () => this.refuse();
  argoApplications = () => this.refuse();
  envSourceKeys = () => this.refuse();
  requestToken = () => this.refuse();
  issuerDiscovery = () => this.refuse();
  runJob = () => this.refuse();
  leftoverJobs = () => this.refuse();
  deleteJob = () => this.refuse();
  namespaceLabels = () => this.refuse();
  mutatingWebhookConfigurations = () => this.refuse();
  workloads = () => this.refuse();
  endpoints = () => this.refuse();
  dryRunCreatePod = () => this.refuse();
  podLogTail = () => this.refuse();
}
