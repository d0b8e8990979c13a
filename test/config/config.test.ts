import { strict as assert } from "assert";
import { ConfigError, parseStackConfig } from "../../src/config";
import { evaluateStack } from "../../dev/harness/program";
import { readStackConfig } from "../../src/config/stack-files";

/** The dev stack file's values in the shape parseStackConfig takes (no `platform:` prefix). */
function devValues(): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(readStackConfig("dev")))
    if (k.startsWith("platform:")) out[k.slice(9)] = structuredClone(v);
  return out;
}

function problemsOf(
  stack: string,
  values: Record<string, unknown>,
  region: string | null = "eu-west-1",
): string {
  try {
    parseStackConfig(stack, values, region ?? undefined);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
    return e.message;
  }
  assert.fail("expected the configuration to be rejected");
}

describe("stack configuration", () => {
  it("accepts every committed stack file", () => {
    for (const stack of ["dev", "staging", "production", "local"]) {
      const values: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(readStackConfig(stack)))
        if (k.startsWith("platform:")) values[k.slice(9)] = v;
      const config = parseStackConfig(stack, values, stack === "local" ? undefined : "eu-west-1");
      assert.equal(config.stack, stack);
    }
  });

  it("derives protect=true for production and false elsewhere unless set", () => {
    const v = devValues();
    assert.equal(parseStackConfig("dev", v, "eu-west-1").protect, false);
    assert.equal(parseStackConfig("dev", { ...v, protect: true }, "eu-west-1").protect, true);
  });

  const cases: {
    when: string;
    change: (v: Record<string, any>) => void;
    expect: RegExp[];
    stack?: string;
  }[] = [
    {
      when: "an unknown top-level key is present",
      change: (v) => (v.servics = []),
      expect: [/platform:servics: got \[\]; unknown key; allowed here: environment, branchModel/],
    },
    {
      when: "a nested key is misspelt",
      change: (v) => (v.eks.nodeGroup = []),
      expect: [
        /platform:eks\.nodeGroup: got \[\]; unknown key; allowed here: enabled, version, endpointPublicAccess/,
      ],
    },
    {
      when: "a service has no port",
      change: (v) => delete v.services[0].port,
      expect: [/platform:services\[0\]\.port: got nothing; required: an integer from 1024 to 65535$/],
    },
    {
      when: "a count is past its range",
      change: (v) => (v.network.azCount = 9),
      expect: [/platform:network\.azCount: got 9; must be an integer from 1 to 6$/],
    },
    {
      when: "a port has the wrong type",
      change: (v) => (v.services[0].port = "8080"),
      expect: [/platform:services\[0\]\.port: got "8080"; must be an integer from 1024 to 65535$/],
    },
    {
      when: "a target is not eks or ecs",
      change: (v) => (v.services[0].target = "lambda"),
      expect: [/platform:services\[0\]\.target: got "lambda"; .*"eks".*"ecs"/],
    },
    {
      when: "canary weights do not increase",
      change: (v) => (v.services[2].strategy.steps = [50, 25, 100]),
      expect: [
        /platform:services\[2\]\.strategy\.steps: got \[50,25,100\]; weights strictly increasing within 1-100 and ending at 100/,
      ],
    },
    {
      when: "canary weights do not end at 100",
      change: (v) => (v.services[2].strategy.steps = [10, 50]),
      expect: [/platform:services\[2\]\.strategy\.steps: got \[10,50\]/],
    },
    {
      when: "the canary weight is not one of the steps",
      change: (v) => (v.releases.orders.canaryWeight = 30),
      expect: [/platform:releases\.orders\.canaryWeight: got 30; 0 or one of the steps \[25,50,100\]/],
    },
    {
      when: "production spans one AZ",
      stack: "production",
      change: (v) => {
        v.environment = "production";
        v.network.azCount = 1;
        v.network.natGateways = "perAz";
      },
      expect: [/platform:network\.azCount: got 1; production spans at least 3 availability zones/],
    },
    {
      when: "production uses a single NAT gateway",
      stack: "production",
      change: (v) => {
        v.environment = "production";
        v.network.azCount = 3;
      },
      expect: [/platform:network\.natGateways: got "single"; production needs "perAz"/],
    },
    {
      when: "production turns protection off",
      change: (v) => {
        v.environment = "production";
        v.network = { azCount: 3, natGateways: "perAz" };
        v.protect = false;
      },
      expect: [/platform:protect: got false; production resources are always protected/],
    },
    {
      when: "the EKS endpoint is public without CIDRs",
      change: (v) => (v.eks.endpointPublicAccess = true),
      expect: [/platform:eks\.publicAccessCidrs: got \[\]; a public endpoint needs explicit allowed CIDRs/],
    },
    {
      when: "the EKS endpoint is open to the internet",
      change: (v) => {
        v.eks.endpointPublicAccess = true;
        v.eks.publicAccessCidrs = ["0.0.0.0/0"];
      },
      expect: [
        /platform:eks\.publicAccessCidrs: got \["0\.0\.0\.0\/0"\]; specific networks that together do not cover the whole internet/,
      ],
    },
    {
      when: "an ecs service is configured while ECS is disabled",
      change: (v) => (v.ecs = { enabled: false }),
      expect: [/platform:services\[3\]\.target: got "ecs"; target "ecs" needs ecs\.enabled=true/],
    },
    {
      when: "an ECS service asks for a canary",
      change: (v) => (v.services[3].strategy = { type: "canary", steps: [50, 100] }),
      expect: [
        /platform:services\[3\]\.strategy\.type: got "canary"; ECS services deploy with "rolling" \(circuit breaker with rollback\) or "blueGreen"/,
      ],
    },
    {
      when: "an ECS service bakes longer than a deploy job can wait",
      change: (v) => (v.services[3].strategy = { type: "blueGreen", bakeMinutes: 45 }),
      expect: [/platform:services\[3\]\.strategy\.bakeMinutes: got 45; whole minutes from 0 to 30/],
    },
    {
      when: "an ECS service has an impossible Fargate size",
      change: (v) => (v.services[3].memoryMiB = 8192),
      expect: [/platform:services\[3\]\.memoryMiB: got 8192; for cpu 250: one of 512, 1024, 2048/],
    },
    {
      when: "a release names no configured service",
      change: (v) => (v.releases.gone = { digest: `sha256:${"e".repeat(64)}` }),
      expect: [
        /platform:releases\.gone: got \{"digest":"sha256:e+.*; a release for a configured service \(api, web, orders, payments\)/,
      ],
    },
    {
      when: "a digest is a tag",
      change: (v) => (v.releases.api.digest = "latest"),
      expect: [/platform:releases\.api\.digest: got "latest"; must be an image digest/],
    },
    {
      when: "a secret is given as a value instead of an ARN",
      change: (v) => (v.services[3].secrets.DATABASE_URL = "postgres://user:pw@db/app"),
      expect: [
        /platform:services\[3\]\.secrets\.DATABASE_URL: got "postgres:\/\/user:pw@db\/app"; must be a Secrets Manager secret ARN/,
      ],
    },
    {
      when: "the ghcr registry has no owner",
      change: (v) => (v.registry = { kind: "ghcr" }),
      expect: [/platform:registry\.ghcrOwner: got nothing; required when registry\.kind is "ghcr"/],
    },
    {
      when: "a service asks for an exposure that does not exist, and the zone id is malformed",
      change: (v) => {
        v.services[0].exposure = "world";
        v.dns.hostedZoneId = "dev.example.com";
      },
      expect: [
        /platform:dns\.hostedZoneId: got "dev\.example\.com"; must be a Route 53 hosted zone id such as Z0123456789ABC/,
        /platform:services\[0\]\.exposure: got "world"; Invalid option: expected one of "cluster"\|"internal"\|"public"/,
      ],
    },
    {
      when: "ECS is enabled without a certificate",
      change: (v) => delete v.dns.certificateArn,
      expect: [/platform:dns\.certificateArn: got nothing; required when ecs\.enabled/],
    },
    {
      when: "add-on images are a bare tag, a digest without a tag and a reference without a registry",
      change: (v) =>
        (v.eks.addons = {
          images: {
            loadBalancerController: "public.ecr.aws/eks/aws-load-balancer-controller:v3.2.2",
            externalSecrets: `111111111111.dkr.ecr.eu-west-1.amazonaws.com/mirror/external-secrets@sha256:${"a".repeat(64)}`,
            metricsServer: `metrics-server:v0.8.1@sha256:${"a".repeat(64)}`,
            prometheus: v.eks.addons.images.prometheus,
          },
        }),
      expect: [
        /\(3 problems\)/,
        /platform:eks\.addons\.images\.loadBalancerController: got "public\.ecr\.aws\/eks\/aws-load-balancer-controller:v3\.2\.2"; must be an image reference pinned by digest: <registry>\/<repository>:<tag>@sha256:<64 hex>/,
        /platform:eks\.addons\.images\.externalSecrets: got "111111111111\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/mirror\/external-secrets@sha256:a+\.\.\.; must be an image reference pinned by digest/,
        /platform:eks\.addons\.images\.metricsServer: got "metrics-server:v0\.8\.1@sha256:a{64}"; must be an image reference pinned by digest/,
      ],
    },
    {
      when: "dev's services come to need add-ons whose images are not configured",
      change: (v) => {
        v.services[0].exposure = "internal";
        v.services[1].autoscaling = { minReplicas: 2, maxReplicas: 4, cpuTarget: 70 };
      },
      expect: [
        /platform:eks\.addons\.images\.loadBalancerController: got nothing; required because service api has an internal or public exposure/,
        /platform:eks\.addons\.images\.metricsServer: got nothing; required because service web has autoscaling \(an HPA\), which needs metrics-server/,
      ],
    },
    {
      when: "several keys are wrong at once",
      change: (v) => {
        v.eks.endpointPublicAccess = true;
        v.releases.gone = { digest: `sha256:${"e".repeat(64)}` };
      },
      expect: [/\(2 problems\)/, /platform:eks\.publicAccessCidrs/, /platform:releases\.gone/],
    },
  ];
  for (const c of cases) {
    it(`rejects the stack with one error naming key, value and what is allowed when ${c.when}`, () => {
      const v = devValues();
      c.change(v);
      const message = problemsOf(c.stack ?? "dev", v);
      assert.match(message, /^Invalid configuration for stack "\w+"/);
      for (const e of c.expect) assert.match(message, e);
    });
  }

  it("reports an invalid CIDR once, and still runs every cross-key rule on the rest", () => {
    const v = devValues();
    v.network = { ...v.network, cidr: "bad" };
    v.services[1].strategy = { type: "canary", steps: [50, 10] };
    v.eks = { ...v.eks, version: "1.10" };
    const keys = problemsOf("dev", v)
      .split("\n")
      .filter((l) => l.startsWith("  - "))
      .map((l) => l.slice(4).split(": got")[0]);
    assert.deepEqual(keys, [
      "platform:eks.version",
      "platform:network.cidr",
      "platform:releases.web.activeColor",
      "platform:releases.web.idleDigest",
      "platform:services[1].replicas",
      "platform:services[1].strategy.steps",
    ]);
    assert.equal(problemsOf("dev", v).match(/network\.cidr/g)?.length, 1);
  });

  it("requires aws:region when the stack creates AWS resources", () => {
    assert.match(
      problemsOf("dev", devValues(), null),
      /aws:region: got nothing; required when the stack creates AWS resources/,
    );
  });

  it("registers no resource when the configuration is invalid", async () => {
    const services = structuredClone(readStackConfig("dev")["platform:services"]) as any[];
    services[0].port = 80;
    let registered = -1;
    await assert.rejects(
      evaluateStack("dev", { "platform:services": services }).then((e) => (registered = e.resources.length)),
      (err: Error) =>
        err instanceof ConfigError &&
        /platform:services\[0\]\.port: got 80; must be ≥ 1024/.test(err.message),
    );
    assert.equal(registered, -1);
  });
});
