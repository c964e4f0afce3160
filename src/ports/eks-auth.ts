/**
 * The answer of the EKS Auth API's one operation, AssumeRoleForPodIdentity: what the EKS Pod
 * Identity Agent asks for a pod's ServiceAccount token (aud pods.eks.amazonaws.com), and what
 * the pod-less proof asks for the same token to prove Pod Identity without a pod. Shapes from the
 * service's Smithy model (aws/aws-sdk-js-v3, codegen/sdk-codegen/aws-models/eks-auth.json:
 * AssumeRoleForPodIdentityResponse, Subject, PodIdentityAssociation, AssumedRoleUser,
 * Credentials). A port: it imports nothing of the project but other ports.
 */
import type { TemporaryCredentials } from './aws.js';

export interface PodIdentityAnswer {
  /** subject: the ServiceAccount EKS Auth found in the token. */
  subject: { namespace: string; serviceAccount: string };
  /** audience: always pods.eks.amazonaws.com (the model's documentation). */
  audience: string;
  podIdentityAssociation: { associationArn: string; associationId: string };
  /** assumedRoleUser.arn: the role the credentials authenticate to. */
  assumedRoleArn: string;
  /**
   * The temporary credentials EKS Auth hands out, as the agent passes them to the pod: the
   * --direct data-plane proofs sign with them. A secret: never printed, redacted in bundles.
   */
  credentials?: TemporaryCredentials;
}
