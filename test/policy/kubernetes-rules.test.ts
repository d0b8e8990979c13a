/**
 * The Kubernetes rules word for word, and the severities the Pod Security baseline profile
 * dictates: what baseline refuses is mandatory.
 */
import { strict as assert } from "assert";
import {
  PolicyResource,
  ResourceValidationPolicy,
  StackValidationPolicy,
  unknownCheckingProxy,
} from "@pulumi/policy";
import { policies } from "../../policy/policies";
import { SAFE_SYSCTLS, selects } from "../../policy/rules/kubernetes";
import { allIngress } from "../../policy/rules/kubernetes-objects";
import { checkResource, checkStack } from "../../dev/harness/policy-harness";
import { deployment } from "./fixtures";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const byName = (name: string) => {
  const found = policies.find((p) => p.name === name);
  assert.ok(found, name);
  return found;
};
const messages = (name: string, props: unknown, type = DEPLOYMENT) =>
  checkResource(byName(name) as ResourceValidationPolicy, type, props as Record<string, any>).map(
    (f) => f.message,
  );
/** The fixture Deployment with its one container changed. */
const withContainer = (change: (c: any) => void) => {
  const d = structuredClone(deployment) as any;
  change(d.spec.template.spec.containers[0]);
  return d;
};
const withPod = (change: (ps: any) => void) => {
  const d = structuredClone(deployment) as any;
  change(d.spec.template.spec);
  return d;
};

interface StackResource {
  type: string;
  name: string;
  props: unknown;
  /** Input property → names of the resources its value came from. */
  propDeps?: Record<string, string[]>;
}
function stackMessages(name: string, list: StackResource[]): string[] {
  const made = list.map(
    (r) =>
      ({
        type: r.type,
        name: r.name,
        urn: `urn:pulumi:test::p::${r.type}::${r.name}`,
        props: unknownCheckingProxy(r.props as Record<string, any>),
        dependencies: [],
        propertyDependencies: {},
        opts: {},
      }) as unknown as PolicyResource,
  );
  const named = new Map(made.map((r) => [r.name, r]));
  list.forEach((r, i) => {
    (made[i] as any).propertyDependencies = Object.fromEntries(
      Object.entries(r.propDeps ?? {}).map(([k, names]) => [k, names.map((n) => named.get(n))]),
    );
  });
  return checkStack(byName(name) as StackValidationPolicy, made).map((f) => f.message);
}
const app = (
  type = DEPLOYMENT,
  name = "app",
  labels: Record<string, string> = { app: "app" },
  namespace = "app",
) => ({
  type,
  name,
  props: {
    metadata: { name, namespace },
    spec:
      type === "kubernetes:batch/v1:CronJob"
        ? { jobTemplate: { spec: { template: { metadata: { labels }, spec: {} } } } }
        : { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: {} } },
  },
});

describe("kubernetes rules", () => {
  describe("label selectors", () => {
    it("apply matchLabels and every matchExpressions operator together", () => {
      const labels = { app: "web", track: "blue" };
      const table: [unknown, boolean][] = [
        [{ matchLabels: { app: "web" } }, true],
        [{ matchLabels: { app: "api" } }, false],
        [{ matchExpressions: [{ key: "track", operator: "In", values: ["blue", "green"] }] }, true],
        [{ matchExpressions: [{ key: "track", operator: "NotIn", values: ["blue"] }] }, false],
        [{ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["db"] }] }, true],
        [{ matchExpressions: [{ key: "track", operator: "Exists" }] }, true],
        [{ matchExpressions: [{ key: "track", operator: "DoesNotExist" }] }, false],
        [{ matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "Exists" }] }, false],
        [{ matchExpressions: [{ key: "track", operator: "Like", values: ["b*"] }] }, false],
        [{}, true],
      ];
      for (const [selector, expected] of table)
        assert.equal(selects(selector, labels), expected, JSON.stringify(selector));
    });
  });

  describe("what the Pod Security baseline refuses", () => {
    it("is mandatory: Unconfined seccomp, host ports, unsafe sysctls, non-default procMount, privileged", () => {
      for (const name of [
        "kubernetes-workload-disallow-unconfined-seccomp",
        "kubernetes-workload-disallow-host-ports",
        "kubernetes-workload-restrict-sysctls",
        "kubernetes-workload-require-default-proc-mount",
        "kubernetes-workload-disallow-privileged",
      ]) {
        assert.equal(byName(name).enforcementLevel, "mandatory", name);
        assert.ok(byName(name).anchors.includes("PSS baseline"), name);
      }
    });

    it("reports Unconfined seccomp on the pod and on each container, and leaves the unset profile to the restricted rule", () => {
      const unconfined = withPod((ps) => {
        ps.securityContext.seccompProfile = { type: "Unconfined" };
        ps.containers[0].securityContext.seccompProfile = { type: "Unconfined" };
      });
      assert.deepEqual(messages("kubernetes-workload-disallow-unconfined-seccomp", unconfined), [
        "pod seccompProfile is Unconfined",
        "container app: seccompProfile is Unconfined",
      ]);
      assert.deepEqual(messages("kubernetes-workload-require-seccomp", unconfined), []);
      const unset = withPod((ps) => delete ps.securityContext.seccompProfile);
      assert.deepEqual(messages("kubernetes-workload-require-seccomp", unset), [
        "container app: seccompProfile is unset",
      ]);
      assert.deepEqual(messages("kubernetes-workload-disallow-unconfined-seccomp", unset), []);
    });

    it("accepts hostPort 0, which baseline allows, and refuses any other", () => {
      assert.deepEqual(
        messages(
          "kubernetes-workload-disallow-host-ports",
          withContainer((c) => (c.ports[0].hostPort = 0)),
        ),
        [],
      );
      assert.deepEqual(
        messages(
          "kubernetes-workload-disallow-host-ports",
          withContainer((c) => (c.ports[0].hostPort = 443)),
        ),
        ["container app: ports[].hostPort is set"],
      );
    });

    it("allows exactly the baseline's safe sysctls", () => {
      const safe = withPod(
        (ps) => (ps.securityContext.sysctls = SAFE_SYSCTLS.map((name) => ({ name, value: "1" }))),
      );
      assert.deepEqual(messages("kubernetes-workload-restrict-sysctls", safe), []);
      const unsafe = withPod(
        (ps) =>
          (ps.securityContext.sysctls = [
            { name: "net.ipv4.tcp_syncookies", value: "1" },
            { name: "net.core.somaxconn", value: "1024" },
            { name: "kernel.shm_rmid_forced_x", value: "1" },
          ]),
      );
      assert.deepEqual(messages("kubernetes-workload-restrict-sysctls", unsafe), [
        "sysctl net.core.somaxconn is not in the baseline safe set",
        "sysctl kernel.shm_rmid_forced_x is not in the baseline safe set",
      ]);
    });

    it("refuses any procMount but Default, in init containers too", () => {
      const unmasked = withPod(
        (ps) => (ps.initContainers = [{ name: "init", securityContext: { procMount: "Unmasked" } }]),
      );
      assert.deepEqual(messages("kubernetes-workload-require-default-proc-mount", unmasked), [
        "container init: procMount is Unmasked",
      ]);
    });
  });

  describe("ports and probes", () => {
    it("reports every container port below 1024", () => {
      const low = withContainer(
        (c) => (c.ports = [{ containerPort: 80 }, { containerPort: 443 }, { containerPort: 1024 }]),
      );
      assert.deepEqual(messages("kubernetes-workload-disallow-privileged-ports", low), [
        "container app: containerPort 80, 443 is privileged (below 1024)",
      ]);
    });

    it("matches probe ports by name or number, for every probe kind", () => {
      const probes = withContainer((c) => {
        c.ports = [{ name: "http", containerPort: 8080 }];
        c.livenessProbe = { httpGet: { path: "/", port: "http" } };
        c.readinessProbe = { tcpSocket: { port: 9090 } };
        c.startupProbe = { grpc: { port: "grpc" } };
      });
      assert.deepEqual(messages("kubernetes-workload-require-probe-ports", probes), [
        'container app: readinessProbe targets port 9090, which the container does not declare; startupProbe targets port "grpc", which the container does not declare',
      ]);
      const numeric = withContainer((c) => (c.ports = [{ name: "http", containerPort: 8080 }]));
      assert.deepEqual(messages("kubernetes-workload-require-probe-ports", numeric), []);
    });
  });

  describe("environment", () => {
    it("names each duplicated variable once", () => {
      const dupes = withContainer(
        (c) => (c.env = [{ name: "A" }, { name: "B" }, { name: "A" }, { name: "A" }]),
      );
      assert.deepEqual(messages("kubernetes-workload-disallow-duplicate-env", dupes), [
        "container app: env A is set more than once",
      ]);
    });

    it("anchors CKV_K8S_35 on the rule that prefers secret files, not on the literal-secret rule", () => {
      assert.deepEqual(byName("kubernetes-workload-prefer-secret-files").anchors, [
        "CKV_K8S_35",
        "KL read-secret-from-env-var",
      ]);
      assert.equal(
        byName("kubernetes-workload-disallow-literal-secret-env").anchors.includes("CKV_K8S_35"),
        false,
      );
      assert.doesNotMatch(
        byName("kubernetes-workload-disallow-literal-secret-env").remediationSteps!,
        /secretKeyRef/,
      );
      const fromEnv = withContainer((c) => {
        c.env.push({ name: "DB_URL", valueFrom: { secretKeyRef: { name: "db", key: "url" } } });
        c.envFrom = [{ secretRef: { name: "api" } }, { configMapRef: { name: "cfg" } }];
      });
      assert.deepEqual(messages("kubernetes-workload-prefer-secret-files", fromEnv), [
        "container app: reads a Secret into the environment: env DB_URL (secretKeyRef db), envFrom secretRef api",
      ]);
      assert.deepEqual(messages("kubernetes-workload-disallow-literal-secret-env", fromEnv), []);
    });
  });

  describe("kubernetes-workload-require-matching-selector", () => {
    it("checks matchExpressions against the template's labels, and a missing selector", () => {
      const name = "kubernetes-workload-require-matching-selector";
      const expr = structuredClone(deployment) as any;
      expr.spec.selector = { matchExpressions: [{ key: "app", operator: "In", values: ["api"] }] };
      assert.deepEqual(messages(name, expr), [
        'spec.selector {"matchExpressions":[{"key":"app","operator":"In","values":["api"]}]} does not select the pod template\'s labels',
      ]);
      const none = structuredClone(deployment) as any;
      delete none.spec.selector;
      assert.deepEqual(messages(name, none), ["spec.selector is unset"]);
    });
  });

  describe("stack consistency", () => {
    const svc = (name: string, spec: unknown, namespace = "app") => ({
      type: "kubernetes:core/v1:Service",
      name,
      props: { metadata: { namespace }, spec },
    });
    const np = (name: string, podSelector: unknown, namespace = "app") => ({
      type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
      name,
      props: { metadata: { namespace }, spec: { podSelector } },
    });
    const hpa = (ref: Record<string, unknown>, namespace = "app") => ({
      type: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
      name: "scaler",
      props: {
        metadata: { namespace },
        spec: { minReplicas: 2, scaleTargetRef: { apiVersion: "apps/v1", ...ref } },
      },
    });

    it("reports Services that select no workload, and skips selector-less and ExternalName Services", () => {
      const resources = [
        app(),
        app("kubernetes:batch/v1:CronJob", "report", { job: "report" }),
        svc("web", { selector: { app: "app" } }),
        svc("report", { selector: { job: "report" } }),
        svc("idle", { selector: { app: "app", track: "green" } }),
        svc("manual", { ports: [{ port: 80 }] }),
        svc("external", { type: "ExternalName", externalName: "db.example.com", selector: { app: "db" } }),
      ];
      assert.deepEqual(stackMessages("kubernetes-service-missing-workload", resources), [
        'Service idle: selector {"app":"app","track":"green"} selects no workload in namespace app',
      ]);
    });

    it("reports NetworkPolicies whose pod selector matches nothing, never a namespace-wide one", () => {
      const resources = [
        app(),
        np("deny-all", {}),
        np("allow-app", { matchExpressions: [{ key: "app", operator: "Exists" }] }),
        np("allow-db", { matchLabels: { app: "db" } }),
        np("elsewhere", { matchLabels: { app: "app" } }, "other"),
      ];
      assert.deepEqual(stackMessages("kubernetes-networkpolicy-missing-workload", resources), [
        'NetworkPolicy allow-db: podSelector {"matchLabels":{"app":"db"}} selects no workload in namespace app',
        'NetworkPolicy elsewhere: podSelector {"matchLabels":{"app":"app"}} selects no workload in namespace other',
      ]);
    });

    it("requires the autoscaler's target by kind, name and namespace", () => {
      const name = "kubernetes-hpa-missing-target";
      assert.deepEqual(stackMessages(name, [app(), hpa({ kind: "Deployment", name: "app" })]), []);
      assert.deepEqual(stackMessages(name, [app(), hpa({ kind: "StatefulSet", name: "app" })]), [
        "HorizontalPodAutoscaler scaler: scaleTargetRef StatefulSet/app is no workload of namespace app in the stack",
      ]);
      assert.deepEqual(stackMessages(name, [app(), hpa({ kind: "Deployment", name: "app" }, "other")]), [
        "HorizontalPodAutoscaler scaler: scaleTargetRef Deployment/app is no workload of namespace other in the stack",
      ]);
      assert.deepEqual(stackMessages(name, [hpa({ kind: "Deployment", name: "" })]), [
        "HorizontalPodAutoscaler scaler: scaleTargetRef Deployment/? is no workload of namespace app in the stack",
      ]);
    });

    it("accepts a target named from the workload's output, even while that name is unknown", () => {
      const scaler = { ...hpa({ kind: "Deployment", name: UNKNOWN }), propDeps: { spec: ["app"] } };
      assert.deepEqual(stackMessages("kubernetes-hpa-missing-target", [app(), scaler]), []);
    });
  });

  describe("RBAC", () => {
    const role = (...rules: unknown[]) => ({ rules });

    it("reports secret reads, wildcards included, in the core API group only", () => {
      const name = "kubernetes-rbac-disallow-secret-reads";
      assert.deepEqual(
        messages(
          name,
          role(
            { apiGroups: [""], resources: ["configmaps", "secrets"], verbs: ["watch", "create"] },
            { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
            { apiGroups: ["example.com"], resources: ["secrets"], verbs: ["get"] },
            { apiGroups: [""], resources: ["secrets"], verbs: ["create"] },
          ),
          "kubernetes:rbac.authorization.k8s.io/v1:Role",
        ),
        ["rules[0] grants watch on secrets", "rules[1] grants * on *"],
      );
    });

    it("reports pod creation, and escalate, bind and impersonate on any resource", () => {
      const type = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole";
      assert.deepEqual(
        messages(
          "kubernetes-rbac-disallow-pod-creation",
          role({ apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["create"] }),
          type,
        ),
        ["rules[0] grants create on pods"],
      );
      assert.deepEqual(
        messages(
          "kubernetes-rbac-disallow-escalation-verbs",
          role(
            {
              apiGroups: ["rbac.authorization.k8s.io"],
              resources: ["clusterroles"],
              verbs: ["bind", "escalate"],
            },
            { apiGroups: [""], resources: ["users", "serviceaccounts"], verbs: ["impersonate"] },
          ),
          type,
        ),
        ["rules[0] grants bind, escalate", "rules[1] grants impersonate"],
      );
      assert.equal(byName("kubernetes-rbac-disallow-escalation-verbs").enforcementLevel, "mandatory");
    });
  });

  describe("kubernetes-workload-require-replica-spread (widened)", () => {
    const name = "kubernetes-workload-require-replica-spread";
    const labels = { app: "app", track: "main" };
    const replicated = (pod: Record<string, unknown>) => ({
      type: DEPLOYMENT,
      name: "app",
      props: {
        metadata: { name: "app", namespace: "app" },
        spec: {
          replicas: 3,
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: [{ name: "app" }], ...pod } },
        },
      },
    });
    const spread = (labelSelector: unknown) => ({
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: "kubernetes.io/hostname",
          whenUnsatisfiable: "ScheduleAnyway",
          labelSelector,
        },
      ],
    });
    const antiAffinity = (labelSelector: unknown) => ({
      affinity: {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 100, podAffinityTerm: { topologyKey: "topology.kubernetes.io/zone", labelSelector } },
          ],
        },
      },
    });
    const missesOwnPods =
      'app: up to 3 replicas, and none of its topology spread or pod anti-affinity terms by node or zone selects its own pods (labels {"app":"app","track":"main"})';

    it("reports a spread or anti-affinity term whose labelSelector misses the workload's own pods, or is missing", () => {
      assert.deepEqual(stackMessages(name, [replicated(spread({ matchLabels: { app: "api" } }))]), [
        missesOwnPods,
      ]);
      assert.deepEqual(stackMessages(name, [replicated(antiAffinity(undefined))]), [missesOwnPods]);
      assert.deepEqual(stackMessages(name, [replicated({})]), [
        "app: up to 3 replicas with no topology spread or pod anti-affinity by node or zone",
      ]);
    });

    it("accepts a term that selects the pods by matchLabels or matchExpressions", () => {
      assert.deepEqual(stackMessages(name, [replicated(spread({ matchLabels: labels }))]), []);
      assert.deepEqual(
        stackMessages(name, [
          replicated(antiAffinity({ matchExpressions: [{ key: "app", operator: "In", values: ["app"] }] })),
        ]),
        [],
      );
    });
  });

  describe("kubernetes-workload-disallow-deprecated-service-account-field", () => {
    it("reads the pod spec of every workload kind, a CronJob's job template included", () => {
      const cron = app("kubernetes:batch/v1:CronJob", "report", { job: "report" }).props as any;
      cron.spec.jobTemplate.spec.template.spec.serviceAccount = "report";
      assert.deepEqual(
        messages(
          "kubernetes-workload-disallow-deprecated-service-account-field",
          cron,
          "kubernetes:batch/v1:CronJob",
        ),
        ['serviceAccount is "report": the deprecated alias of serviceAccountName'],
      );
      assert.deepEqual(
        messages("kubernetes-workload-disallow-deprecated-service-account-field", deployment),
        [],
      );
    });
  });

  describe("kubernetes-job-require-ttl-after-finished", () => {
    it("reads a CronJob's TTL from its job template", () => {
      const name = "kubernetes-job-require-ttl-after-finished";
      const cron = (jobSpec: Record<string, unknown>) => ({
        metadata: { name: "report", namespace: "app" },
        spec: { schedule: "0 6 * * *", jobTemplate: { spec: { template: { spec: {} }, ...jobSpec } } },
      });
      assert.deepEqual(messages(name, cron({}), "kubernetes:batch/v1:CronJob"), [
        "spec.jobTemplate.spec.ttlSecondsAfterFinished is unset: finished Jobs and their pods stay until deleted by hand",
      ]);
      assert.deepEqual(
        messages(name, cron({ ttlSecondsAfterFinished: 0 }), "kubernetes:batch/v1:CronJob"),
        [],
      );
    });
  });

  describe("kubernetes-networkpolicy-disallow-allow-all-ingress", () => {
    it("calls a rule all ingress only when it has no ports and no narrower source", () => {
      const tcp = [{ protocol: "TCP", port: 8080 }];
      const table: [unknown, string | undefined][] = [
        [{}, "has neither from nor ports: it admits every source on every port"],
        [{ from: [] }, "has neither from nor ports: it admits every source on every port"],
        [
          { from: [{ namespaceSelector: {}, podSelector: {} }] },
          "admits every pod of every namespace (an empty namespaceSelector) on every port",
        ],
        [
          { from: [{ podSelector: { matchLabels: { app: "web" } } }, { namespaceSelector: {} }] },
          "admits every pod of every namespace (an empty namespaceSelector) on every port",
        ],
        [
          { from: [{ ipBlock: { cidr: "0.0.0.0/0" } }] },
          "admits every address (ipBlock 0.0.0.0/0) on every port",
        ],
        [
          { from: [{ ipBlock: { cidr: "::/0", except: ["fd00::/8"] } }] },
          "admits every address (ipBlock ::/0) on every port",
        ],
        // The program's allow policy: any source, one port.
        [{ ports: tcp }, undefined],
        [{ from: [{ namespaceSelector: {} }], ports: tcp }, undefined],
        [{ from: [{ podSelector: {} }] }, undefined],
        [
          { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress" } } }] },
          undefined,
        ],
        [
          { from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: "prometheus" } } }] },
          undefined,
        ],
        [{ from: [{ ipBlock: { cidr: "10.0.0.0/16" } }] }, undefined],
      ];
      for (const [rule, why] of table) assert.equal(allIngress(rule), why, JSON.stringify(rule));
    });

    it("names each all-ingress rule of a policy by its index", () => {
      const np = {
        metadata: { name: "web-allow", namespace: "web" },
        spec: {
          podSelector: {},
          ingress: [{ ports: [{ port: 8080 }] }, {}, { from: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }],
        },
      };
      assert.deepEqual(
        messages(
          "kubernetes-networkpolicy-disallow-allow-all-ingress",
          np,
          "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        ),
        [
          "spec.ingress[1] has neither from nor ports: it admits every source on every port",
          "spec.ingress[2] admits every address (ipBlock 0.0.0.0/0) on every port",
        ],
      );
    });
  });

  describe("kubernetes-secret-disallow-literal-data", () => {
    it("names the keys of data and stringData, and accepts a Secret without values", () => {
      const type = "kubernetes:core/v1:Secret";
      const name = "kubernetes-secret-disallow-literal-data";
      assert.deepEqual(
        messages(
          name,
          {
            metadata: { name: "db" },
            data: { user: "YXBw", password: "aHVudGVyMg==" },
            stringData: { url: "x" },
          },
          type,
        ),
        [
          "data holds user, password: values declared in the program",
          "stringData holds url: values declared in the program",
        ],
      );
      assert.deepEqual(messages(name, { metadata: { name: "db" }, data: {} }, type), []);
    });
  });
});
