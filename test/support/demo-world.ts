/**
 * The demo: the healthy Camunda 8.8 world with two real-world IRSA mistakes
 * planted. `npm run demo` replays the bundle recorded from it
 * (fixtures/bundles/camunda-8.8-two-faults.json).
 */
import { withTrustChain } from './trust-chain-world.js';
import { cloneWorld, loadWorld, type WorldModel } from './world.js';

export const DEMO_BUNDLE = 'fixtures/bundles/camunda-8.8-two-faults.json';
/** The command line `npm run demo` uses (after --replay). */
export const DEMO_ARGS = ['-n', 'camunda', '-p', 'identity,webModeler', '-l', 'orchestration,optimize'];

export async function demoWorld(): Promise<WorldModel> {
  const world = cloneWorld(loadWorld('camunda-8.8-healthy.yaml'));
  // Fault 1, the #1 IRSA mistake: Web Modeler's trust policy names the service account
  // by its component name, not the name the chart generates (camunda-web-modeler).
  const webModeler = world.aws.roles!.find((r) => r.name === 'camunda-web-modeler-irsa')!;
  const condition = (webModeler.trustPolicy as any).Statement[0].Condition.StringEquals; // eslint-disable-line @typescript-eslint/no-explicit-any
  const subKey = Object.keys(condition).find((k) => k.endsWith(':sub'))!;
  condition[subKey] = 'system:serviceaccount:camunda:web-modeler';
  // Fault 2: Identity's pod was started before its service account got the role
  // annotation, so the webhook never injected AWS_ROLE_ARN / the token file.
  const identityPod = world.kube.pods!.find((p) => p.name.startsWith('camunda-identity-'))!;
  identityPod.containers[0]!.env = identityPod.containers[0]!.env.filter((e) => !e.name.startsWith('AWS_'));
  identityPod.projectedTokenAudiences = [];
  // What that pod shows at run time: its role unused since it started (RoleLastUsed before
  // the pod's start), and the AWS JDBC wrapper's IAM plugin finding no credentials in its log.
  world.aws.roles!.find((r) => r.name === 'camunda-identity-irsa')!.lastUsedDate = '2026-11-02T16:40:11.000Z';
  world.kube.logs = {
    [`${identityPod.name}/identity`]: [
      '2026-11-20 08:13:20.114  INFO 1 --- [main] i.c.identity.Application : Starting Application v8.8.3',
      '2026-11-20 08:13:31.902 ERROR 1 --- [main] com.zaxxer.hikari.pool.HikariPool : HikariPool-1 - Exception during pool initialization.',
      'software.amazon.awssdk.core.exception.SdkClientException: Unable to load credentials from any of the providers in the chain AwsCredentialsProviderChain(credentialsProviders=[SystemPropertyCredentialsProvider(), EnvironmentVariableCredentialsProvider(), WebIdentityTokenCredentialsProvider(), ProfileCredentialsProvider(), ContainerCredentialsProvider(), InstanceProfileCredentialsProvider()])',
    ].join('\n'),
  };
  return withTrustChain(world);
}
