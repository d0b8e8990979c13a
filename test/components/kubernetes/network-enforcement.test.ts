// What the NetworkPolicies of the committed application stacks isolate, evaluated with the
// Kubernetes NetworkPolicy semantics (test/helpers/network-policy.ts) over the objects the program
// renders: every workload is isolated both ways, and the connections between workloads are exactly
// the declared service dependencies. No CNI runs here. What only a real cluster proves is that
// the VPC CNI's network-policy agent (enabled by the program, gated by the pack) enforces them:
// README "Isolation".
import { strict as assert } from "assert";
import { evaluateApplicationStack } from "../../../dev/harness/program";
import { parseStackConfig } from "../../../src/config";
import { readStackConfig } from "../../../src/config/stack-files";
import { Cluster, clusterOf, overlaps } from "../../helpers/network-policy";

const platformValues = (stack: string) =>
  Object.fromEntries(
    Object.entries(readStackConfig(stack))
      .filter(([k]) => k.startsWith("platform:"))
      .map(([k, v]) => [k.slice(9), v]),
  );

/** The declared connections between a stack's EKS workloads: `caller→callee:port`. */
function declaredPaths(stack: string): string[] {
  const config = parseStackConfig(stack, platformValues(stack), "eu-west-1");
  const port = new Map(config.services.map((s) => [s.name, s.port]));
  return config.services
    .filter((s) => s.target === "eks")
    .flatMap((s) =>
      s.dependencies.flatMap((d) =>
        "service" in d && d.service ? [`${s.name}→${d.service}:${port.get(d.service)}`] : [],
      ),
    )
    .sort();
}

/**
 * Every connection the policies allow between two services' pods, on any service's port: by
 * service (`app.kubernetes.io/name`), so a canary's two Deployments count as their service.
 */
function allowedPaths(cluster: Cluster, ports: number[]): string[] {
  const service = (p: (typeof cluster.pods)[number]) => p.labels["app.kubernetes.io/name"];
  const out = new Set<string>();
  for (const from of cluster.pods)
    for (const to of cluster.pods)
      if (service(from) !== service(to))
        for (const port of ports)
          if (cluster.connects(from, to, port)) out.add(`${service(from)}→${service(to)}:${port}`);
  return [...out].sort();
}

for (const [app, stack] of [
  ["shop-dev", "dev"],
  ["shop-staging", "staging"],
  ["shop-production", "production"],
] as const)
  describe(`isolation of ${app}'s workloads (NetworkPolicy semantics, no CNI)`, function () {
    this.timeout(120_000);
    let cluster: Cluster;
    let ports: number[];
    const vpc = String((platformValues(stack).network as { cidr: string }).cidr);
    before(async () => {
      const { application } = await evaluateApplicationStack(app);
      cluster = clusterOf(application.resources, vpc);
      const config = parseStackConfig(stack, platformValues(stack), "eu-west-1");
      ports = [...new Set([...config.services.map((s) => s.port), 53, 443, 80])];
    });

    it("renders workloads and policies to judge", () => {
      assert.ok(cluster.pods.length >= 2, `${cluster.pods.length} workloads`);
      assert.ok(cluster.policies.length >= cluster.pods.length);
    });

    it("isolates every workload for ingress and for egress", () => {
      for (const pod of cluster.pods) {
        assert.ok(cluster.isolated(pod, "Ingress"), `${pod.namespace}/${pod.name} admits any ingress`);
        assert.ok(cluster.isolated(pod, "Egress"), `${pod.namespace}/${pod.name} may call anything`);
      }
    });

    it("opens exactly one path per declared service dependency, and no other between workloads", () => {
      assert.deepEqual(allowedPaths(cluster, ports), declaredPaths(stack));
    });

    it("gives no address range that overlaps the VPC, where pods take their addresses", () => {
      for (const p of cluster.policies)
        for (const rule of [...(p.egress ?? []), ...(p.ingress ?? [])])
          for (const peer of [...((rule as any).to ?? []), ...((rule as any).from ?? [])])
            if (peer.ipBlock)
              assert.ok(!overlaps(peer.ipBlock.cidr, vpc), `${p.name}: ${peer.ipBlock.cidr} reaches pods`);
    });
  });

describe("the NetworkPolicy evaluator itself", () => {
  const pod = (namespace: string, name: string) => ({
    namespace,
    name,
    labels: { "app.kubernetes.io/name": name },
    ports: { http: 8080 },
  });
  const api = pod("api", "api");
  const web = pod("web", "web");
  const deny = (namespace: string) => ({
    namespace,
    name: "deny",
    podSelector: {},
    policyTypes: ["Ingress", "Egress"],
  });
  const ns = (n: string) => ({ "kubernetes.io/metadata.name": n });

  it("finds an unselected pod open both ways, and a denied one closed", () => {
    const open = new Cluster([api, web], [], ns, "10.0.0.0/16");
    assert.equal(open.connects(web, api, 8080), true);
    const closed = new Cluster([api, web], [deny("api"), deny("web")], ns, "10.0.0.0/16");
    assert.equal(closed.connects(web, api, 8080), false);
    assert.equal(closed.isolated(api, "Ingress"), true);
  });

  it("needs both the caller's egress and the callee's ingress, on the named or numbered port", () => {
    const egress = {
      namespace: "web",
      name: "web",
      podSelector: { matchLabels: { "app.kubernetes.io/name": "web" } },
      policyTypes: ["Egress"],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: ns("api") },
              podSelector: { matchLabels: { "app.kubernetes.io/name": "api" } },
            },
          ],
          ports: [{ protocol: "TCP", port: "http" }],
        },
      ],
    };
    const ingress = {
      namespace: "api",
      name: "api",
      podSelector: {},
      policyTypes: ["Ingress"],
      ingress: [{ ports: [{ port: 8080 }] }],
    };
    const c = new Cluster([api, web], [deny("api"), deny("web"), egress, ingress], ns, "10.0.0.0/16");
    assert.equal(c.connects(web, api, 8080), true);
    assert.equal(c.connects(web, api, 9090), false);
    assert.equal(c.connects(api, web, 8080), false);
    // A podSelector alone means the policy's own namespace: it does not reach api's namespace.
    const sameNamespaceOnly = {
      ...egress,
      egress: [{ to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "api" } } }] }],
    };
    assert.equal(
      new Cluster(
        [api, web],
        [deny("api"), deny("web"), sameNamespaceOnly, ingress],
        ns,
        "10.0.0.0/16",
      ).connects(web, api, 8080),
      false,
    );
  });

  it("counts an address range overlapping the pods' VPC as reaching every pod", () => {
    const wide = {
      namespace: "web",
      name: "w",
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8" } }] }],
    };
    const narrow = { ...wide, egress: [{ to: [{ ipBlock: { cidr: "10.20.0.0/24" } }] }] };
    assert.equal(new Cluster([api, web], [wide], ns, "10.10.0.0/16").connects(web, api, 8080), true);
    assert.equal(
      new Cluster([api, web], [deny("api"), narrow], ns, "10.10.0.0/16").connects(web, api, 8080),
      false,
    );
  });
});
