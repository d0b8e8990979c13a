import * as aws from "../../lib/aws";
import * as k8s from "../../lib/k8s";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument, Statement } from "../../lib/iam";
import { AccountContext } from "../../lib/kms";
import { rolePath } from "../../lib/naming";
import { lbControllerStatements } from "../aws/lb-controller-policy";
import {
  ADDON_CHARTS,
  AddonName,
  AddonPlan,
  externalSecretsStatements,
  planAddonNamespace,
  planClusterSecretStoreSpec,
  planExternalSecretsValues,
  planIngressClassParamsSpec,
  planIngressClassSpec,
  planIrsaTrust,
  planLoadBalancerControllerValues,
  planMetricsServerValues,
  planPrometheusValues,
} from "./cluster-addons-plan";
import { ALB_INGRESS_CLASS } from "./ingress-spec";

export * from "./cluster-addons-plan";

export interface ClusterAddonsArgs {
  /** Provider of the EKS cluster. */
  readonly provider: k8s.Provider;
  /** Which add-ons to install (see `planAddons`). */
  readonly plan: AddonPlan;
  readonly clusterName: pulumi.Input<string>;
  /** The cluster's IAM OIDC provider, trusted by every add-on role. */
  readonly oidcProviderArn: pulumi.Input<string>;
  /** The cluster's OIDC issuer URL (`https://oidc.eks.<region>.amazonaws.com/id/…`). */
  readonly oidcIssuer: pulumi.Input<string>;
  /** The cluster's VPC: the load balancer controller works in it only. */
  readonly vpcId: pulumi.Input<string>;
  /**
   * The WAF web ACL the load balancer controller associates with internet-facing Ingress ALBs
   * (their `wafv2-acl-arn` annotation); none: the controller gets no WAFv2 permission.
   * @default undefined
   */
  readonly webAclArn?: pulumi.Input<string>;
  readonly account: AccountContext;
  /**
   * Each installed add-on's image, pinned by digest (`eks.addons.images`); the config rules
   * require one for every add-on the plan installs.
   */
  readonly images: Partial<Record<AddonName, string>>;
}

/** Where add-on children go: the component's name and options. */
interface AddonScope {
  readonly name: string;
  /** `parent`, and the Kubernetes provider for Kubernetes children. */
  readonly k8sOpts: pulumi.CustomResourceOptions;
  /** `parent` only: AWS children take the AWS provider the component inherited. */
  readonly awsOpts: pulumi.CustomResourceOptions;
}

/** An add-on's namespace `${name}-${addon}-ns`, Pod Security `restricted`. */
export function createAddonNamespace(scope: AddonScope, addon: AddonName): k8s.core.v1.Namespace {
  return new k8s.core.v1.Namespace(
    `${scope.name}-${addon}-ns`,
    { metadata: planAddonNamespace(addon) },
    scope.k8sOpts,
  );
}

/** The IRSA role `${name}-${addon}` of an add-on's ServiceAccount, with its inline policy. */
export function createAddonRole(
  scope: AddonScope,
  addon: AddonName,
  args: Pick<ClusterAddonsArgs, "oidcProviderArn" | "oidcIssuer">,
  statements: Statement[],
): aws.iam.Role {
  const chart = ADDON_CHARTS[addon];
  const role = new aws.iam.Role(
    `${scope.name}-${addon}`,
    {
      path: rolePath(),
      description: `IRSA role of ${chart.namespace}/${chart.serviceAccount}`,
      assumeRolePolicy: pulumi
        .output(args.oidcIssuer)
        .apply((issuer) =>
          policyDocument(planIrsaTrust(args.oidcProviderArn, issuer, chart.namespace, chart.serviceAccount)),
        ),
    },
    scope.awsOpts,
  );
  new aws.iam.RolePolicy(
    `${scope.name}-${addon}`,
    { role: role.id, policy: policyDocument(statements) },
    scope.awsOpts,
  );
  return role;
}

/** The add-on's chart `${name}-${addon}`, pinned, into its namespace. */
export function createAddonChart(
  scope: AddonScope,
  addon: AddonName,
  namespace: k8s.core.v1.Namespace,
  values: Record<string, unknown>,
  dependsOn: pulumi.Resource[] = [],
): k8s.helm.v4.Chart {
  const chart = ADDON_CHARTS[addon];
  return new k8s.helm.v4.Chart(
    `${scope.name}-${addon}`,
    {
      chart: chart.chart,
      version: chart.version,
      repositoryOpts: { repo: chart.repo },
      namespace: namespace.metadata.name,
      values,
    },
    { ...scope.k8sOpts, dependsOn: [namespace, ...dependsOn] },
  );
}

/**
 * The add-ons an EKS cluster's services rely on, each a pinned Helm chart (v4: rendered
 * client-side, every object its own resource) in its own `restricted` namespace, with an IRSA
 * role for exactly its ServiceAccount:
 * - the AWS Load Balancer Controller, when a service has an Ingress, with the `alb`
 *   IngressClass and its IngressClassParams (TLS 1.3, pod IPs as targets);
 * - External Secrets Operator, when a service has secrets, with the ClusterSecretStore those
 *   services' ExternalSecrets reference, reading exactly their secrets;
 * - metrics-server, when a service autoscales;
 * - Prometheus, when a service is reachable only inside the cluster, for the metric gate.
 * Workloads that need them depend on this component.
 */
export class ClusterAddons extends pulumi.ComponentResource {
  /** The charts installed, by add-on, as `<chart>@<version>`. */
  public readonly charts: Partial<Record<AddonName, string>>;
  /** The IRSA role ARNs, by add-on. */
  public readonly roleArns: Partial<Record<AddonName, pulumi.Output<string>>>;

  constructor(name: string, args: ClusterAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:kubernetes:ClusterAddons", name, {}, opts);
    const scope: AddonScope = {
      name,
      k8sOpts: { parent: this, provider: args.provider },
      awsOpts: { parent: this },
    };
    const charts: Partial<Record<AddonName, string>> = {};
    const installed = (addon: AddonName) => `${ADDON_CHARTS[addon].chart}@${ADDON_CHARTS[addon].version}`;
    const roleArns: Partial<Record<AddonName, pulumi.Output<string>>> = {};
    const image = (addon: AddonName): string => {
      const reference = args.images[addon];
      // Unreachable from a validated config (addon-image-rules.ts); a chart without it would
      // deploy its publisher's image by tag, which the policy pack refuses only at preview.
      if (!reference)
        throw new Error(`ClusterAddons ${name}: no image for ${addon} (eks.addons.images.${addon})`);
      return reference;
    };

    if (args.plan.loadBalancerController) {
      const addon = "loadBalancerController";
      const ns = createAddonNamespace(scope, addon);
      const role = createAddonRole(
        scope,
        addon,
        args,
        lbControllerStatements({ ...args.account, vpcId: args.vpcId, webAclArn: args.webAclArn }),
      );
      const chart = createAddonChart(
        scope,
        addon,
        ns,
        planLoadBalancerControllerValues({
          clusterName: args.clusterName,
          region: args.account.region,
          vpcId: args.vpcId,
          roleArn: role.arn,
          image: image(addon),
          wafv2: args.webAclArn !== undefined,
        }),
      );
      const after = { ...scope.k8sOpts, dependsOn: [chart] };
      const params = new k8s.apiextensions.CustomResource(
        `${name}-ingress-class-params`,
        {
          apiVersion: "elbv2.k8s.aws/v1beta1",
          kind: "IngressClassParams",
          metadata: { name: ALB_INGRESS_CLASS },
          spec: planIngressClassParamsSpec(),
        },
        after,
      );
      new k8s.networking.v1.IngressClass(
        `${name}-ingress-class`,
        { metadata: { name: ALB_INGRESS_CLASS }, spec: planIngressClassSpec() },
        { ...after, dependsOn: [chart, params] },
      );
      charts[addon] = installed(addon);
      roleArns[addon] = role.arn;
    }

    const eso = args.plan.externalSecrets;
    if (eso) {
      const addon = "externalSecrets";
      const ns = createAddonNamespace(scope, addon);
      const role = createAddonRole(scope, addon, args, externalSecretsStatements(eso.secretArns));
      const chart = createAddonChart(scope, addon, ns, planExternalSecretsValues(role.arn, image(addon)));
      new k8s.apiextensions.CustomResource(
        `${name}-secret-store`,
        {
          apiVersion: "external-secrets.io/v1",
          kind: "ClusterSecretStore",
          metadata: { name: eso.storeName },
          spec: planClusterSecretStoreSpec(args.account.region, eso.namespaces),
        },
        { ...scope.k8sOpts, dependsOn: [chart] },
      );
      charts[addon] = installed(addon);
      roleArns[addon] = role.arn;
    }

    if (args.plan.metricsServer) {
      const addon = "metricsServer";
      const ns = createAddonNamespace(scope, addon);
      createAddonChart(scope, addon, ns, planMetricsServerValues(image(addon)));
      charts[addon] = installed(addon);
    }

    if (args.plan.prometheus) {
      const addon = "prometheus";
      const ns = createAddonNamespace(scope, addon);
      createAddonChart(scope, addon, ns, planPrometheusValues(image(addon), args.plan.prometheus.namespaces));
      charts[addon] = installed(addon);
    }

    this.charts = charts;
    this.roleArns = roleArns;
    this.registerOutputs({ charts, roleArns });
  }
}
