/**
 * The parts of `@pulumi/aws` this program uses, imported one service at a time. The package root
 * loads every service module (about 150 ms per `pulumi preview` on our machines, measured by
 * `npm run bench`); components import `aws` from here and read as if from the root.
 * Add a service here before using it; bench/sdk-modules.ts lists the same modules.
 */
export * as appautoscaling from "@pulumi/aws/appautoscaling";
export * as chatbot from "@pulumi/aws/chatbot";
export * as cloudwatch from "@pulumi/aws/cloudwatch";
export * as codebuild from "@pulumi/aws/codebuild";
export * as ec2 from "@pulumi/aws/ec2";
export * as ecr from "@pulumi/aws/ecr";
export * as ecs from "@pulumi/aws/ecs";
export * as eks from "@pulumi/aws/eks";
export * as elb from "@pulumi/aws/elb";
export * as iam from "@pulumi/aws/iam";
export * as kms from "@pulumi/aws/kms";
export * as lb from "@pulumi/aws/lb";
export * as route53 from "@pulumi/aws/route53";
export * as s3 from "@pulumi/aws/s3";
export * as secretsmanager from "@pulumi/aws/secretsmanager";
export * as sns from "@pulumi/aws/sns";
export * as vpc from "@pulumi/aws/vpc";
export * as wafv2 from "@pulumi/aws/wafv2";
export { Provider } from "@pulumi/aws/provider";
export { getAvailabilityZonesOutput } from "@pulumi/aws/getAvailabilityZones";
export { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
export { getPartitionOutput } from "@pulumi/aws/getPartition";
export { getRegionOutput } from "@pulumi/aws/getRegion";
export type { Region, types } from "@pulumi/aws";
