import { strict as assert } from "assert";
import {
  PolicyResource,
  ResourceValidationPolicy,
  StackValidationPolicy,
  unknownCheckingProxy,
} from "@pulumi/policy";
import { isStackPolicy, policies } from "../../policy/policies";
import { checkRemediation, checkResource, checkStack } from "../../dev/harness/policy-harness";
import { deployment, FIXTURES, ResourceFixture, StackFixture } from "./fixtures";

const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function stackResources(list: StackFixture["good"]): PolicyResource[] {
  const byName = new Map<string, any>();
  const out = list.map((r) => {
    const pr: any = {
      type: r.type,
      name: r.name,
      urn: `urn:pulumi:test::p::${r.type}::${r.name}`,
      props: unknownCheckingProxy(r.props),
      dependencies: [],
      propertyDependencies: {},
      opts: {},
    };
    byName.set(r.name, pr);
    return pr;
  });
  list.forEach((r, i) => {
    out[i].dependencies = (r.deps ?? []).map((d) => byName.get(d));
    out[i].propertyDependencies = Object.fromEntries(
      Object.entries(r.propDeps ?? {}).map(([k, names]) => [k, names.map((n) => byName.get(n))]),
    );
  });
  return out;
}

describe("policy pack", () => {
  it("has at least 60 rules with unique <family>-<resource>-<verb-phrase> names", () => {
    assert.ok(policies.length >= 60, `only ${policies.length} rules`);
    assert.equal(new Set(policies.map((p) => p.name)).size, policies.length);
    for (const p of policies) assert.match(p.name, /^[a-z0-9]+(-[a-z0-9]+){2,}$/, p.name);
  });

  it("cites anchors, a severity and remediation steps in every rule, and makes high/critical mandatory", () => {
    for (const p of policies) {
      assert.ok(p.anchors.length > 0 && p.description.includes(`[${p.anchors.join(", ")}]`), p.name);
      assert.ok(p.remediationSteps && p.remediationSteps.length > 10, p.name);
      const expected = p.severity === "high" || p.severity === "critical" ? "mandatory" : "advisory";
      assert.equal(p.enforcementLevel, expected, p.name);
    }
  });

  it("has a compliant and a violating fixture for every rule, and none for rules that do not exist", () => {
    assert.deepEqual(
      policies.map((p) => p.name).filter((n) => !(n in FIXTURES)),
      [],
    );
    assert.deepEqual(
      Object.keys(FIXTURES).filter((n) => !policies.some((p) => p.name === n)),
      [],
    );
  });

  for (const policy of policies) {
    const fixture = FIXTURES[policy.name];
    if (!fixture) continue;
    describe(policy.name, () => {
      if (isStackPolicy(policy)) {
        const f = fixture as StackFixture;
        it("passes the compliant resources", () =>
          assert.deepEqual(checkStack(policy as StackValidationPolicy, stackResources(f.good)), []));
        it("reports the violating resources", () => {
          const findings = checkStack(policy as StackValidationPolicy, stackResources(f.bad));
          assert.ok(findings.length > 0, "expected a violation");
          assert.match(findings.map((x) => x.message).join("\n"), f.expect);
        });
        return;
      }
      const f = fixture as ResourceFixture;
      const rp = policy as ResourceValidationPolicy;
      it("passes the compliant input", () =>
        assert.deepEqual(
          checkResource(rp, f.goodType ?? f.type, f.good, { config: f.config }).map((x) => x.message),
          [],
        ));
      it("reports the violating input", () => {
        const findings = checkResource(rp, f.type, f.bad, { config: f.config });
        assert.ok(findings.length > 0, "expected a violation");
        assert.match(findings.map((x) => x.message).join("\n"), f.expect);
        assert.equal(findings[0].enforcement, policy.enforcementLevel);
      });
    });
  }

  describe("under preview", () => {
    const byName = (n: string) => policies.find((p) => p.name === n) as ResourceValidationPolicy;

    it("reports 'could not check' as advisory when a checked value is unknown", () => {
      const findings = checkResource(
        byName("iam-policy-disallow-admin-actions"),
        "aws:iam/rolePolicy:RolePolicy",
        { role: "r", policy: UNKNOWN_STRING },
      );
      assert.deepEqual(
        findings.map((f) => [f.enforcement, f.unknown, f.message]),
        [
          [
            "advisory",
            true,
            "could not check during preview: string value at .policy can't be known during preview",
          ],
        ],
      );
    });

    it("never turns an unknown value into a mandatory violation, whatever the rule", () => {
      for (const p of policies.filter((x) => !isStackPolicy(x))) {
        const f = FIXTURES[p.name] as ResourceFixture;
        if (f.goodType) continue; // forbids the resource type itself; reads no value
        const keys = new Set([...Object.keys(f.good), ...Object.keys(f.bad)]);
        const unknownProps = Object.fromEntries([...keys].map((k) => [k, UNKNOWN_STRING]));
        const findings = checkResource(p as ResourceValidationPolicy, f.type, unknownProps);
        assert.ok(
          findings.every((x) => x.enforcement === "advisory"),
          `${p.name}: ${JSON.stringify(findings)}`,
        );
      }
    });
  });

  describe("configuration", () => {
    const byName = (n: string) => policies.find((p) => p.name === n) as ResourceValidationPolicy;

    it("accepts a shorter log retention where a stack's policy config allows it", () => {
      const rule = byName("cloudwatch-loggroup-configure-retention");
      assert.deepEqual(
        checkResource(
          rule,
          "aws:cloudwatch/logGroup:LogGroup",
          { retentionInDays: 30, kmsKeyId: "k" },
          { config: { minimumDays: 30 } },
        ),
        [],
      );
    });

    it("checks images against the configured approved registries", () => {
      const rule = byName("kubernetes-workload-require-pinned-approved-image");
      const findings = checkResource(rule, "kubernetes:apps/v1:Deployment", deployment, {
        config: { approvedRegistries: ["ghcr.io/"] },
      });
      assert.match(findings[0].message, /is not from an approved registry/);
    });

    it("requires two approvals where the production config says so", () => {
      const rule = byName("github-branchprotection-require-reviews");
      const findings = checkResource(
        rule,
        "github:index/branchProtection:BranchProtection",
        (FIXTURES["github-branchprotection-require-reviews"] as ResourceFixture).good,
        { config: { minimumApprovals: 2 } },
      );
      assert.match(findings[0].message, /requiredApprovingReviewCount is 1; at least 2/);
    });

    it("rejects a sub claim that any repository of the org can present", () => {
      const rule = byName("iam-role-pin-github-oidc-trust");
      const trust = JSON.stringify({
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com" },
            Condition: {
              StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
              StringLike: { "token.actions.githubusercontent.com:sub": "environment:production" },
            },
          },
        ],
      });
      assert.match(
        checkResource(rule, "aws:iam/role:Role", { assumeRolePolicy: trust })[0].message,
        /does not pin one repository/,
      );
    });
  });

  describe("remediation", () => {
    const byName = (n: string) =>
      policies.find((p) => p.name === n) as ResourceValidationPolicy & { fix?: { why: string } };

    it("offers automatic fixes only on the two rules whose change is in place and loses nothing", () => {
      assert.deepEqual(
        policies.filter((p) => (p as any).remediateResource).map((p) => p.name),
        ["ecr-repository-enable-scan-on-push", "lb-loadbalancer-drop-invalid-headers"],
      );
      for (const p of policies.filter((x) => (x as any).fix))
        assert.ok((p as any).fix.why.length > 40, p.name);
    });

    it("turns on scan-on-push and keeps the rest of the repository as it was", () => {
      const fixed = checkRemediation(
        byName("ecr-repository-enable-scan-on-push"),
        "aws:ecr/repository:Repository",
        { imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: false } },
      );
      assert.deepEqual(fixed, {
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
      });
    });

    it("drops invalid headers on an application load balancer but leaves a network load balancer alone", () => {
      const rule = byName("lb-loadbalancer-drop-invalid-headers");
      assert.deepEqual(checkRemediation(rule, "aws:lb/loadBalancer:LoadBalancer", { internal: true }), {
        internal: true,
        dropInvalidHeaderFields: true,
      });
      assert.equal(
        checkRemediation(rule, "aws:lb/loadBalancer:LoadBalancer", { loadBalancerType: "network" }),
        undefined,
      );
    });

    it("changes nothing on a compliant resource", () => {
      assert.equal(
        checkRemediation(byName("ecr-repository-enable-scan-on-push"), "aws:ecr/repository:Repository", {
          imageScanningConfiguration: { scanOnPush: true },
        }),
        undefined,
      );
    });
  });
});
