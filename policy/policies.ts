/**
 * Every rule of the pack, importable without starting the analyzer (constructing a PolicyPack
 * starts a gRPC server): tests, the offline gate and the docs generator use this module.
 */
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { ecrRules } from "./rules/ecr";
import { ecsRules } from "./rules/ecs";
import { eksRules, networkPolicyEnforcementRules } from "./rules/eks";
import { githubRules } from "./rules/github";
import { iamRules } from "./rules/iam";
import { ingressRules } from "./rules/ingress";
import { kubernetesRules } from "./rules/kubernetes";
import { lbRules } from "./rules/lb";
import { networkRules } from "./rules/network";
import { s3Rules } from "./rules/s3";
import { workflowRules } from "./rules/workflows";
import { availabilityRules } from "./rules/availability";
import { wafRules } from "./rules/waf";
import { workflowSupplyChainRules } from "./rules/workflow-supply-chain";
import { operationsRules } from "./rules/operations";
import { workflowExposureRules } from "./rules/workflow-exposure";
import { workflowDeployRules } from "./rules/workflow-deploys";
import { kubernetesObjectRules } from "./rules/kubernetes-objects";

export type Policy = (ResourceValidationPolicy | StackValidationPolicy) & {
  readonly anchors: readonly string[];
};

export const policies: Policy[] = [
  ...ecrRules,
  ...eksRules,
  ...networkPolicyEnforcementRules,
  ...ecsRules,
  ...lbRules,
  ...ingressRules,
  ...iamRules,
  ...s3Rules,
  ...networkRules,
  ...kubernetesRules,
  ...githubRules,
  ...workflowRules,
  ...wafRules,
  ...availabilityRules,
  ...workflowSupplyChainRules,
  ...operationsRules,
  ...workflowExposureRules,
  ...workflowDeployRules,
  ...kubernetesObjectRules,
];

export const isStackPolicy = (p: Policy): p is StackValidationPolicy & { anchors: readonly string[] } =>
  "validateStack" in p;
