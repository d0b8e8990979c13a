/**
 * `platform:eks.addons.images`: the container images the cluster add-ons' charts run, as full
 * references pinned by digest. The charts default to their publishers' images by tag
 * (public.ecr.aws, ghcr.io, registry.k8s.io), which the policy pack's mandatory
 * `kubernetes-workload-require-pinned-approved-image` refuses; these keys replace them.
 * The cross-key rule (an image is required when a service needs its add-on) is in
 * addon-image-rules.ts: it needs the add-on plan, which this schema file must not import.
 */
import { z } from "zod";

/**
 * `<registry>/<repository>:<tag>@sha256:<64 hex>`, the Docker reference grammar narrowed to a
 * registry host with a dot (or a port), lowercase path components and a sha256 digest. The tag is
 * required, not just allowed: every chart here renders `<repository>:<tag>` (see
 * cluster-addons-plan.ts, `chartImage`), so a reference without a tag has no value that renders
 * it. With a digest the runtime pulls by digest; the tag only says which release it is.
 */
export const IMAGE_REFERENCE =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?::\d+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}@sha256:[a-f0-9]{64}$/;

export const IMAGE_REFERENCE_FORMAT = "<registry>/<repository>:<tag>@sha256:<64 hex>";

const imageReference = z
  .string()
  .regex(IMAGE_REFERENCE, `must be an image reference pinned by digest: ${IMAGE_REFERENCE_FORMAT}`);

/**
 * Each value is the add-on's image mirrored into a registry the stack's policy config approves,
 * typically the stack's own ECR (`<account>.dkr.ecr.<region>.amazonaws.com/<repository>`, copied
 * with `crane copy` or `docker buildx imagetools create`) or an ECR pull-through cache rule of that
 * account (`<account>.dkr.ecr.<region>.amazonaws.com/<prefix>/<upstream repository>`). Get the
 * digest with `crane digest <image>:<tag>` or `docker buildx imagetools inspect <image>:<tag>`
 * (the index digest, so every platform of the image keeps working). The upstream image each
 * mirrors is `ADDON_CHARTS[addon].upstreamImage` (src/components/kubernetes/cluster-addons-plan.ts).
 */
export const addonImagesSchema = z.strictObject({
  /** AWS Load Balancer Controller, mirrored from `public.ecr.aws/eks/aws-load-balancer-controller:v3.2.2`. Required when an EKS service is `internal` or `public`. */
  loadBalancerController: imageReference.optional(),
  /** External Secrets Operator, mirrored from `ghcr.io/external-secrets/external-secrets:v1.3.2`: the chart runs this one image as controller, webhook and cert controller. Required when an EKS service has `secrets`. */
  externalSecrets: imageReference.optional(),
  /** metrics-server, mirrored from `registry.k8s.io/metrics-server/metrics-server:v0.8.1`. Required when an EKS service runs an HPA. */
  metricsServer: imageReference.optional(),
  /** Prometheus, mirrored from `quay.io/prometheus/prometheus:v3.14.0`. Required when an EKS service's exposure is `cluster`: the metric gate reads its releases there. */
  prometheus: imageReference.optional(),
});

export const addonsSchema = z.strictObject({
  /** The add-ons' images by add-on (see `addonImagesSchema`). @default {} */
  images: addonImagesSchema.default({}),
});

export type AddonImages = z.output<typeof addonImagesSchema>;
