/**
 * The release's `PortForwarder` for a control plane whose Pods run no containers (kwok fakes the
 * node): `kubectl port-forward svc/NAME` would find no process to connect to. This stands in for
 * the forward *and* the container: it listens on a loopback port and answers each request on
 * behalf of a Pod the Service really routes to at that moment — read from the Service's
 * EndpointSlices, which kube-controller-manager's EndpointSlice controller derives from the
 * Service's selector and the Pods' readiness — with the status `respond` gives that Pod.
 *
 * What it proves: the release executor's gates probe the track or colour the real API routes the
 * Service to (a selector flip or a replica change is seen as the cluster applies it), and a
 * failing answer from those Pods makes the executor roll back. What it does not prove: that an
 * image serves its health path; that needs a container runtime (kind, a real cluster).
 */
import * as http from "http";
import { AddressInfo } from "net";
import type { Forward, PortForwarder, ServiceRef } from "../../src/release/port-forward";
import { KubeClient } from "./client";

/** A Pod behind a Service's ready endpoint, as the API reports it. */
export interface EndpointPod {
  readonly namespace: string;
  readonly name: string;
  /** Every container image of the Pod (`repo@sha256:…`). */
  readonly images: readonly string[];
}

/** The HTTP status a Pod answers with. */
export type Responder = (pod: EndpointPod, path: string) => number;

/** The Pods behind the Service's ready endpoints now, in the order the slices list them. */
export async function readyEndpointPods(client: KubeClient, service: ServiceRef): Promise<EndpointPod[]> {
  const slices = await client.get(
    `/apis/discovery.k8s.io/v1/namespaces/${service.namespace}/endpointslices?labelSelector=${encodeURIComponent(
      `kubernetes.io/service-name=${service.name}`,
    )}`,
  );
  const names: string[] = [];
  for (const slice of slices.items ?? [])
    for (const ep of slice.endpoints ?? [])
      if (ep.conditions?.ready && ep.targetRef?.kind === "Pod") names.push(ep.targetRef.name);
  const pods: EndpointPod[] = [];
  for (const name of names.sort()) {
    const pod = await client.get(`/api/v1/namespaces/${service.namespace}/pods/${name}`);
    pods.push({
      namespace: service.namespace,
      name,
      images: (pod.spec.containers as { image: string }[]).map((c) => c.image),
    });
  }
  return pods;
}

export class EndpointForwarder implements PortForwarder {
  /** Every Pod a request was answered for, in order (what the gates really reached). */
  readonly answered: { service: string; pod: EndpointPod; status: number }[] = [];

  constructor(
    private readonly client: KubeClient,
    private readonly respond: Responder,
  ) {}

  async open(service: ServiceRef): Promise<Forward> {
    let turn = 0;
    const server = http.createServer((req, res) => {
      readyEndpointPods(this.client, service)
        .then((pods) => {
          if (pods.length === 0) {
            // kube-proxy rejects a connection to a Service without ready endpoints.
            res.destroy();
            return;
          }
          const pod = pods[turn++ % pods.length];
          const status = this.respond(pod, req.url ?? "/");
          this.answered.push({ service: `${service.namespace}/${service.name}`, pod, status });
          res.writeHead(status).end();
        })
        .catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }
}

/** Pods answer 200, except those running an image whose digest is in `unhealthy` (503). */
export function unhealthyDigests(unhealthy: ReadonlySet<string>): Responder {
  return (pod) => (pod.images.some((image) => unhealthy.has(image.split("@")[1] ?? "")) ? 503 : 200);
}
