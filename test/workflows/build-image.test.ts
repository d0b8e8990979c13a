// build-image.yml's index step, run with bash and a stand-in for docker: the image index points at
// every architecture the service built and at nothing it did not.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { contextFor } from "../helpers/context";
import { deliveryFiles } from "../../src/workflows";
import { parseStackConfig } from "../../src/config";
import { readStackConfig } from "../../src/config/stack-files";
import { deliveryContext } from "../../src/stack/delivery";

const IMAGE = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/platform-dev/api";
const AMD = `sha256:${"a".repeat(64)}`;
const ARM = `sha256:${"b".repeat(64)}`;

const index = YAML.parse(
  deliveryFiles(contextFor("dev"))[".github/workflows/build-image.yml"],
).jobs.build.steps.find((s: { id?: string }) => s.id === "index");

/** Runs the index step with the digests of the architectures built; returns docker's calls. */
function tagIndex(digests: { DIGEST_AMD64?: string; DIGEST_ARM64?: string }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "index-"));
  try {
    const calls = path.join(dir, "calls");
    fs.writeFileSync(
      path.join(dir, "docker"),
      [
        "#!/usr/bin/env bash",
        `echo "docker $*" >> "${calls}"`,
        `if [ "$3" = inspect ]; then echo '{"digest":"sha256:${"c".repeat(64)}"}'; fi`,
      ].join("\n"),
      { mode: 0o755 },
    );
    const output = path.join(dir, "output");
    let failed: string | undefined;
    try {
      execFileSync("bash", ["-c", index.run], {
        stdio: ["ignore", "pipe", "pipe"],
        env: {
          PATH: `${dir}:${process.env.PATH}`,
          GITHUB_OUTPUT: output,
          IMAGE,
          TAGS: `${IMAGE}:sha-0123456789abcdef0123456789abcdef01234567`,
          DIGEST_AMD64: digests.DIGEST_AMD64 ?? "",
          DIGEST_ARM64: digests.DIGEST_ARM64 ?? "",
        },
      });
    } catch (err) {
      failed = (err as { stdout: Buffer }).stdout.toString();
    }
    return { failed, calls: fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").trim().split("\n") : [] };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("the image index build-image.yml tags", () => {
  it("points at the one architecture a private repository's service built", () => {
    const { failed, calls } = tagIndex({ DIGEST_AMD64: AMD });
    assert.equal(failed, undefined);
    assert.equal(
      calls[0],
      `docker buildx imagetools create -t ${IMAGE}:sha-0123456789abcdef0123456789abcdef01234567 ${IMAGE}@${AMD}`,
    );
  });

  it("points at both architectures where both were built", () => {
    const { calls } = tagIndex({ DIGEST_AMD64: AMD, DIGEST_ARM64: ARM });
    assert.match(calls[0], new RegExp(`${IMAGE}@${AMD} ${IMAGE}@${ARM}$`));
  });

  it("fails by name when no architecture was built", () => {
    assert.match(tagIndex({}).failed ?? "", /::error::no architecture was built/);
  });
});

describe("a service's image architectures", () => {
  const values = () => {
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(readStackConfig("dev")))
      if (k.startsWith("platform:")) out[k.slice(9)] = structuredClone(v);
    return out;
  };

  it("refuses arm64 in a private repository, where GitHub offers no arm64 hosted runner", () => {
    const v = values();
    v.services[0].build.architectures = ["amd64", "arm64"];
    assert.throws(
      () => parseStackConfig("dev", v, "eu-west-1"),
      /platform:services\[0\]\.build\.architectures: got \["amd64","arm64"\]; \["amd64"\]: GitHub offers its arm64 hosted runner \(ubuntu-24\.04-arm\) to public repositories only/,
    );
  });

  it("builds both in a public repository unless the service says otherwise", () => {
    const v = values();
    v.github.visibility = "public";
    delete v.github.advancedSecurity;
    const config = parseStackConfig("dev", v, "eu-west-1");
    const api = deliveryContext(config, config.github!).services.find((s) => s.name === "api")!;
    assert.deepEqual(api.build!.architectures, ["amd64", "arm64"]);
  });
});
