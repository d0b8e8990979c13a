/**
 * The parts of `@pulumi/kubernetes` this program uses, one API group version at a time (the
 * package root loads every group and version). Components import `k8s` from here.
 */
import * as appsV1 from "@pulumi/kubernetes/apps/v1";
import * as autoscalingV2 from "@pulumi/kubernetes/autoscaling/v2";
import * as coreV1 from "@pulumi/kubernetes/core/v1";
import * as helmV4 from "@pulumi/kubernetes/helm/v4";
import * as networkingV1 from "@pulumi/kubernetes/networking/v1";
import * as policyV1 from "@pulumi/kubernetes/policy/v1";
import * as customResource from "@pulumi/kubernetes/apiextensions/customResource";

export { Provider } from "@pulumi/kubernetes/provider";
export type { types } from "@pulumi/kubernetes";

/* eslint-disable @typescript-eslint/no-namespace -- namespaces keep the `k8s.core.v1.X` paths of the package root */
export namespace apps {
  export import v1 = appsV1;
}
export namespace autoscaling {
  export import v2 = autoscalingV2;
}
export namespace core {
  export import v1 = coreV1;
}
export namespace helm {
  export import v4 = helmV4;
}
export namespace networking {
  export import v1 = networkingV1;
}
export namespace policy {
  export import v1 = policyV1;
}
export namespace apiextensions {
  export import CustomResource = customResource.CustomResource;
}
