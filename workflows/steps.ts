/** Steps several pipelines share. Each returns data; nothing here renders YAML. */
import { Step } from "./model";
import { ACTIONS, PULUMI_CLI_VERSION } from "./pins";

export const checkout = (fetchDepth?: number): Step => ({
  name: "Check out",
  uses: ACTIONS.checkout,
  with: { "persist-credentials": false, ...(fetchDepth !== undefined ? { "fetch-depth": fetchDepth } : {}) },
});

/** Node with an npm cache, except in jobs a release tag can reach (cache poisoning). */
export const setupNode = (version: string, cache: boolean): Step => ({
  name: "Set up Node.js",
  uses: ACTIONS.setupNode,
  with: { "node-version": version, ...(cache ? { cache: "npm" } : {}) },
});

export const npmCi: Step = { name: "Install dependencies", run: "npm ci --no-audit --no-fund" };

/** The Pulumi CLI from its release archive, verified against the release's published checksums. */
export const installPulumi: Step = {
  name: "Install Pulumi CLI",
  env: { PULUMI_VERSION: PULUMI_CLI_VERSION },
  run: [
    'archive="pulumi-v${PULUMI_VERSION}-linux-x64.tar.gz"',
    'curl -fsSLo "$RUNNER_TEMP/$archive" "https://get.pulumi.com/releases/sdk/$archive"',
    'curl -fsSLo "$RUNNER_TEMP/sums.txt" "https://github.com/pulumi/pulumi/releases/download/v${PULUMI_VERSION}/pulumi-${PULUMI_VERSION}-checksums.txt"',
    '(cd "$RUNNER_TEMP" && grep " $archive\\$" sums.txt | sha256sum -c -)',
    'tar -xzf "$RUNNER_TEMP/$archive" -C "$RUNNER_TEMP"',
    'echo "$RUNNER_TEMP/pulumi" >> "$GITHUB_PATH"',
  ].join("\n"),
};

/** AWS credentials by GitHub OIDC: the role ARN is an environment variable the stack wrote. */
export const awsCredentials = (roleArnExpression: string): Step => ({
  name: "Assume the AWS role (GitHub OIDC)",
  uses: ACTIONS.configureAwsCredentials,
  with: {
    "role-to-assume": roleArnExpression,
    "aws-region": "${{ vars.AWS_REGION }}",
    "role-session-name": "github-${{ github.run_id }}",
  },
});

/** Job env every Pulumi job needs: the backend from a variable, the passphrase (if used) from a secret. */
export function pulumiEnv(passphrase: boolean): Record<string, string> {
  return {
    PULUMI_BACKEND_URL: "${{ vars.PULUMI_BACKEND_URL }}",
    ...(passphrase ? { PULUMI_CONFIG_PASSPHRASE: "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}" } : {}),
  };
}
