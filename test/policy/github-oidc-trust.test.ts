import { strict as assert } from "assert";
import { githubTrustProblems } from "../../policy/rules/iam";

const OIDC = "token.actions.githubusercontent.com";
const AUD = `${OIDC}:aud`;
const SUB = `${OIDC}:sub`;
const trust = (condition: unknown) => ({
  Effect: "Allow",
  Principal: { Federated: `arn:aws:iam::111111111111:oidc-provider/${OIDC}` },
  Action: "sts:AssumeRoleWithWebIdentity",
  Condition: condition,
});

const CASES: [when: string, condition: unknown, problems: string[]][] = [
  [
    "aud and sub are pinned to one repository's environment",
    { StringEquals: { [AUD]: "sts.amazonaws.com", [SUB]: "repo:acme/shop:environment:production" } },
    [],
  ],
  [
    "sub is matched with StringLike in its own block",
    {
      StringEquals: { [AUD]: "sts.amazonaws.com" },
      StringLike: { [SUB]: "repo:acme/shop:ref:refs/heads/*" },
    },
    [],
  ],
  [
    "there is no condition",
    undefined,
    [`${AUD} is not pinned to "sts.amazonaws.com"`, `${SUB} is not constrained`],
  ],
  [
    "aud also allows another audience",
    { StringEquals: { [AUD]: ["sts.amazonaws.com", "other"], [SUB]: "repo:acme/shop:environment:dev" } },
    [`${AUD} is not pinned to "sts.amazonaws.com"`],
  ],
  [
    "sub is any value",
    { StringEquals: { [AUD]: "sts.amazonaws.com" }, StringLike: { [SUB]: "*" } },
    [`${SUB} "*" does not pin one repository`],
  ],
  [
    "sub is any repository",
    { StringEquals: { [AUD]: "sts.amazonaws.com" }, StringLike: { [SUB]: "repo:*" } },
    [`${SUB} "repo:*" does not pin one repository`],
  ],
  [
    "sub is any repository of owners starting alike",
    { StringEquals: { [AUD]: "sts.amazonaws.com" }, StringLike: { [SUB]: "repo:acme*/shop:ref:x" } },
    [`${SUB} "repo:acme*/shop:ref:x" does not pin one repository`],
  ],
  [
    "sub names the repository without a claim after it",
    { StringEquals: { [AUD]: "sts.amazonaws.com", [SUB]: "repo:acme/shop" } },
    [`${SUB} "repo:acme/shop" does not pin one repository`],
  ],
  [
    "sub starts with a claim any repository can present",
    { StringEquals: { [AUD]: "sts.amazonaws.com", [SUB]: "environment:production" } },
    [`${SUB} "environment:production" does not pin one repository`],
  ],
  [
    "one of several subs is open",
    {
      StringEquals: { [AUD]: "sts.amazonaws.com" },
      StringLike: { [SUB]: ["repo:acme/shop:environment:dev", "repo:*"] },
    },
    [`${SUB} "repo:*" does not pin one repository`],
  ],
  [
    "a condition block is not an object",
    { Bool: "true", StringEquals: { [AUD]: "sts.amazonaws.com", [SUB]: "repo:acme/shop:environment:dev" } },
    [],
  ],
  [
    "a condition block is null",
    { Null: null },
    [`${AUD} is not pinned to "sts.amazonaws.com"`, `${SUB} is not constrained`],
  ],
];

describe("GitHub OIDC trust statements", () => {
  for (const [when, condition, problems] of CASES)
    it(`${problems.length ? "are reported" : "pass"} when ${when}`, () => {
      assert.deepEqual(githubTrustProblems(trust(condition)), problems);
    });

  it("a statement that is missing altogether has neither aud nor sub", () => {
    assert.deepEqual(githubTrustProblems(undefined), [
      `${AUD} is not pinned to "sts.amazonaws.com"`,
      `${SUB} is not constrained`,
    ]);
  });
});
