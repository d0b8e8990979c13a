// Tier 1, always run: the objects the program declares for the cluster add-ons — the
// ClusterSecretStore, an ExternalSecret that uses it, the `alb` IngressClass with its
// IngressClassParams, and the Ingresses of exposed services — applied server-side to a real API
// server that has the add-ons' own CRDs, at the versions the charts are pinned to (fetched from
// the Go module proxy by dev/tools/crds.sh). The API server validates them against the CRDs'
// schemas: a misspelt or misplaced field is pruned or refused, so each object must come back with
// exactly the spec the program declared.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { ControlPlane, startControlPlane } from "../../dev/cluster/control-plane";
import { KubeClient, KubeObject } from "../../dev/cluster/client";
import { Evaluation } from "../../dev/harness/evaluate";
import { committedStack } from "../helpers/stacks";

const ROOT = path.resolve(__dirname, "../..");
const CRDS = path.join(ROOT, ".tools/crds");

/** Every CRD the add-ons' Go modules hold for what the program declares. */
function crdsOf(addon: string): KubeObject[] {
  const dir = path.join(CRDS, addon);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => YAML.parse(fs.readFileSync(path.join(dir, f), "utf8")) as KubeObject);
}

/** The object the program declares, as the provider would send it. */
function declared(e: Evaluation, type: string, name: string): KubeObject {
  return e.get(type, name).inputs as KubeObject;
}

/**
 * `live` cut down to the keys `declared` has, at every depth: what the API kept of the declared
 * object. The server adds defaults; a field it pruned (unknown to the schema) comes back missing.
 */
function kept(live: any, declaredValue: any): any {
  if (Array.isArray(declaredValue))
    return Array.isArray(live) ? declaredValue.map((d, i) => kept(live[i], d)) : live;
  if (declaredValue && typeof declaredValue === "object" && live && typeof live === "object")
    return Object.fromEntries(Object.keys(declaredValue).map((k) => [k, kept(live[k], declaredValue[k])]));
  return live;
}

async function established(client: KubeClient, crd: KubeObject, deadlineMs = 30000): Promise<void> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const live = await client.get(KubeClient.pathOf(crd));
    if (live.status?.conditions?.some((c: any) => c.type === "Established" && c.status === "True")) return;
    if (Date.now() > end)
      throw new Error(`CRD ${crd.metadata.name} not Established within ${deadlineMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Server-side apply that is expected to be refused: the status and message. */
async function refused(client: KubeClient, obj: KubeObject): Promise<{ status: number; message: string }> {
  const r = await client.raw(
    "PATCH",
    `${KubeClient.pathOf(obj)}?fieldManager=platform-e2e&force=true&fieldValidation=Strict`,
    JSON.stringify(obj),
    "application/apply-patch+yaml",
  );
  return { status: r.status, message: JSON.parse(r.body).message ?? r.body };
}

describe("the cluster add-ons' objects on a real API server with the add-ons' CRDs", function () {
  this.timeout(300000);
  let cp: ControlPlane;
  let production: Evaluation;
  let crds: KubeObject[];

  before(async () => {
    execFileSync("bash", [path.join(ROOT, "dev/tools/crds.sh")], { stdio: "inherit" });
    production = await committedStack("production");
    cp = await startControlPlane();
    crds = [...crdsOf("external-secrets"), ...crdsOf("aws-load-balancer-controller")];
    for (const crd of crds) await cp.client.apply(crd);
  });
  after(async () => cp?.stop());

  it("establishes the CRDs of External Secrets v1.3.2 and the AWS Load Balancer Controller v3.2.2", async () => {
    for (const crd of crds) await established(cp.client, crd);
    const names = crds.map((c) => c.metadata.name).sort();
    assert.deepEqual(
      names.filter((n) =>
        [
          "clustersecretstores.external-secrets.io",
          "externalsecrets.external-secrets.io",
          "ingressclassparams.elbv2.k8s.aws",
        ].includes(n),
      ),
      [
        "clustersecretstores.external-secrets.io",
        "externalsecrets.external-secrets.io",
        "ingressclassparams.elbv2.k8s.aws",
      ],
    );
  });

  it("accepts the ClusterSecretStore exactly as declared: Secrets Manager, IRSA service account, namespaces", async () => {
    const store = declared(
      production,
      "kubernetes:external-secrets.io/v1:ClusterSecretStore",
      "addons-secret-store",
    );
    const live = await cp.client.apply(store);
    assert.deepEqual(kept(live.spec, store.spec), store.spec);
  });

  it("accepts the service's ExternalSecret, referencing that store, exactly as declared", async () => {
    await cp.client.apply(declared(production, "kubernetes:core/v1:Namespace", "orders-ns"));
    const es = declared(production, "kubernetes:external-secrets.io/v1:ExternalSecret", "orders-secrets");
    const live = await cp.client.apply(es);
    assert.deepEqual(kept(live.spec, es.spec), es.spec);
    assert.equal(live.spec.target.deletionPolicy, "Retain");
    assert.equal(live.spec.secretStoreRef.name, "aws-secrets-manager");
  });

  it("accepts the alb IngressClassParams and IngressClass exactly as declared", async () => {
    const params = declared(
      production,
      "kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams",
      "addons-ingress-class-params",
    );
    assert.deepEqual(kept((await cp.client.apply(params)).spec, params.spec), params.spec);
    const cls = declared(production, "kubernetes:networking.k8s.io/v1:IngressClass", "addons-ingress-class");
    assert.deepEqual((await cp.client.apply(cls)).spec, cls.spec);
  });

  it("accepts the Ingresses of the public and the internal service with their controller annotations", async () => {
    for (const name of ["web", "api"]) {
      await cp.client.apply(declared(production, "kubernetes:core/v1:Namespace", `${name}-ns`));
      const ingress = declared(production, "kubernetes:networking.k8s.io/v1:Ingress", `${name}-ingress`);
      const live = await cp.client.apply(ingress);
      assert.deepEqual(live.spec, ingress.spec, name);
      assert.deepEqual(live.metadata.annotations, (ingress.metadata as any).annotations, name);
    }
  });

  it("refuses a store and params that break the CRDs' schemas", async () => {
    for (const crd of crds) await established(cp.client, crd);
    const store = declared(
      production,
      "kubernetes:external-secrets.io/v1:ClusterSecretStore",
      "addons-secret-store",
    ) as any;
    const wrongService = structuredClone(store);
    wrongService.metadata.name = "wrong-service";
    wrongService.spec.provider.aws.service = "SecretManager";
    const s1 = await refused(cp.client, wrongService);
    assert.equal(s1.status, 422);
    assert.match(s1.message, /spec\.provider\.aws\.service: Unsupported value: "SecretManager"/);

    const misplaced = structuredClone(store);
    misplaced.metadata.name = "misplaced";
    misplaced.spec.provider.aws.auth = { serviceAccountRef: { name: "external-secrets" } };
    const s2 = await refused(cp.client, misplaced);
    // Server-side apply refuses a field the schema lacks before admission (a 500, not a 422).
    assert.equal(s2.status, 500);
    assert.match(s2.message, /\.spec\.provider\.aws\.auth\.serviceAccountRef: field not declared in schema/);

    const params = structuredClone(
      declared(
        production,
        "kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams",
        "addons-ingress-class-params",
      ),
    ) as any;
    params.metadata.name = "wrong-scheme";
    params.spec.scheme = "public";
    const p = await refused(cp.client, params);
    assert.equal(p.status, 422);
    assert.match(p.message, /spec\.scheme: Unsupported value: "public"/);
  });
});
