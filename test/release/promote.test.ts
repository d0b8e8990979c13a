import { strict as assert } from "assert";
import { ecrRegion, promote, semverOf } from "../../src/release/promote";
import { PulumiCli } from "../../src/release/pulumi-cli";

const STAGING = "222222222222.dkr.ecr.eu-central-1.amazonaws.com/platform-staging/api";
const PRODUCTION = "333333333333.dkr.ecr.eu-west-1.amazonaws.com/platform-production/api";
const DIGEST = "sha256:" + "a".repeat(64);

/** A Pulumi CLI that only knows the stack's registry map, and a command runner that records. */
function fakes(registryUrls: Record<string, string>) {
  const calls: string[] = [];
  const pulumi = { outputs: async () => ({ registryUrls }) } as unknown as PulumiCli;
  const run = async (file: string, args: string[]) => {
    calls.push([file, ...args].join(" "));
    if (args[0] === "ecr") return "token";
    if (args.includes("inspect")) return JSON.stringify({ digest: DIGEST });
    return "";
  };
  return { calls, pulumi, run };
}

describe("promotion of an image into a stack's registry", () => {
  it("logs in to each ECR registry with a token for that registry's region, then copies by digest under sha-<commit>", async () => {
    const { calls, pulumi, run } = fakes({ api: PRODUCTION });
    const digest = await promote(pulumi, run, {
      stack: "production",
      service: "api",
      sourceImage: STAGING,
      sourceRef: "sha-abc123",
      commitSha: "abc123",
    });
    assert.equal(digest, DIGEST);
    assert.deepEqual(calls, [
      "aws ecr get-login-password --region eu-central-1",
      "docker login --username AWS --password-stdin 222222222222.dkr.ecr.eu-central-1.amazonaws.com",
      "aws ecr get-login-password --region eu-west-1",
      "docker login --username AWS --password-stdin 333333333333.dkr.ecr.eu-west-1.amazonaws.com",
      `docker buildx imagetools inspect ${STAGING}:sha-abc123 --format {{json .Manifest}}`,
      `docker buildx imagetools create --tag ${PRODUCTION}:sha-abc123 ${STAGING}@${DIGEST}`,
    ]);
  });

  it("tags the copy with the release tag's semver as well when a release tag runs it", async () => {
    const { calls, pulumi, run } = fakes({ api: PRODUCTION });
    await promote(pulumi, run, {
      stack: "production",
      service: "api",
      sourceImage: STAGING,
      sourceRef: "sha-abc123",
      commitSha: "abc123",
      releaseTag: "v1.4.2",
    });
    assert.equal(
      calls.at(-1),
      `docker buildx imagetools create --tag ${PRODUCTION}:sha-abc123 --tag ${PRODUCTION}:1.4.2 ${STAGING}@${DIGEST}`,
    );
  });

  it("leaves a GHCR package's semver tag to release.yml's job that may write packages, and pushes nothing", async () => {
    const ghcr = "ghcr.io/acme-shop/api";
    const { calls, pulumi, run } = fakes({ api: ghcr });
    const digest = await promote(pulumi, run, {
      stack: "production",
      service: "api",
      sourceImage: ghcr,
      sourceRef: DIGEST,
      releaseTag: "v2.0.0",
    });
    assert.equal(digest, DIGEST);
    assert.deepEqual(
      calls.filter((c) => c.includes("imagetools create")),
      [],
    );
  });

  it("reads a semver from release tags only", () => {
    assert.equal(semverOf("v1.4.2"), "1.4.2");
    assert.equal(semverOf("v1.4"), undefined);
    assert.equal(semverOf("release-1.4.2"), undefined);
    assert.equal(semverOf(undefined), undefined);
  });

  it("needs no ECR login for GHCR images, whose job logged in with its GITHUB_TOKEN", async () => {
    const ghcr = "ghcr.io/acme-shop/api";
    const { calls, pulumi, run } = fakes({ api: ghcr });
    await promote(pulumi, run, { stack: "production", service: "api", sourceImage: ghcr, sourceRef: DIGEST });
    assert.deepEqual(calls, [
      `docker buildx imagetools inspect ${ghcr}@${DIGEST} --format {{json .Manifest}}`,
    ]);
  });

  it("reads the region from ECR registry hosts only", () => {
    assert.equal(ecrRegion("123456789012.dkr.ecr.us-east-1.amazonaws.com"), "us-east-1");
    assert.equal(ecrRegion("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn"), "cn-north-1");
    assert.equal(ecrRegion("ghcr.io"), undefined);
    assert.equal(ecrRegion("evil.example/123456789012.dkr.ecr.us-east-1.amazonaws.com"), undefined);
  });
});
