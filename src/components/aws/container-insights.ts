/**
 * Container Insights for an EKS cluster: the `amazon-cloudwatch-observability` EKS add-on, whose
 * CloudWatch agent publishes the per-namespace and per-workload metrics the EKS services' alarms
 * read (running pods, container restarts). The agent's ServiceAccount gets its own IRSA role with
 * AWS's CloudWatchAgentServerPolicy (put metrics and its own log groups, nothing else).
 */
import * as aws from "../../lib/aws";
import * as pulumi from "@pulumi/pulumi";
import { planIrsaTrust } from "../kubernetes/cluster-addons-plan";
import { policyDocument } from "../../lib/iam";
import { AccountContext } from "../../lib/kms";
import { rolePath } from "../../lib/naming";

/** The add-on and the ServiceAccount its agent runs as. */
export const CONTAINER_INSIGHTS_ADDON = "amazon-cloudwatch-observability";
export const CLOUDWATCH_AGENT_SERVICE_ACCOUNT = { namespace: "amazon-cloudwatch", name: "cloudwatch-agent" };

/**
 * Metrics only: the add-on's Fluent Bit would otherwise ship every container's logs to CloudWatch
 * Logs, a cost and a second copy nobody asked for.
 */
export const CONTAINER_INSIGHTS_CONFIGURATION = JSON.stringify({ containerLogs: { enabled: false } });

export interface ContainerInsightsArgs {
  readonly clusterName: pulumi.Input<string>;
  readonly oidcProviderArn: pulumi.Input<string>;
  readonly oidcIssuer: pulumi.Input<string>;
  readonly account: AccountContext;
}

export class ContainerInsights extends pulumi.ComponentResource {
  public readonly addonName: pulumi.Output<string>;

  constructor(name: string, args: ContainerInsightsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:operations:ContainerInsights", name, {}, opts);
    const sa = CLOUDWATCH_AGENT_SERVICE_ACCOUNT;
    const role = new aws.iam.Role(
      `${name}-agent`,
      {
        path: rolePath(),
        description: `IRSA role of ${sa.namespace}/${sa.name} (Container Insights)`,
        assumeRolePolicy: pulumi
          .output(args.oidcIssuer)
          .apply((issuer) =>
            policyDocument(planIrsaTrust(args.oidcProviderArn, issuer, sa.namespace, sa.name)),
          ),
      },
      { parent: this },
    );
    new aws.iam.RolePolicyAttachment(
      `${name}-agent`,
      {
        role: role.name,
        policyArn: pulumi.interpolate`arn:${args.account.partition}:iam::aws:policy/CloudWatchAgentServerPolicy`,
      },
      { parent: this },
    );
    // No addonVersion: EKS installs the default version for the cluster's Kubernetes version.
    const addon = new aws.eks.Addon(
      name,
      {
        clusterName: args.clusterName,
        addonName: CONTAINER_INSIGHTS_ADDON,
        serviceAccountRoleArn: role.arn,
        configurationValues: CONTAINER_INSIGHTS_CONFIGURATION,
        resolveConflictsOnCreate: "OVERWRITE",
        resolveConflictsOnUpdate: "OVERWRITE",
      },
      { parent: this },
    );
    this.addonName = addon.addonName;
    this.registerOutputs({ addonName: this.addonName });
  }
}
