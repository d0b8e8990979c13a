import { asArray, parseJson, resourceRule, stackRule } from "../lib/rule";
import { isEveryone } from "./ecr";

const ROLE = "aws:iam/role:Role";
const POLICY_TYPES = [
  "aws:iam/policy:Policy",
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/userPolicy:UserPolicy",
  "aws:iam/groupPolicy:GroupPolicy",
];
const GITHUB_OIDC = "token.actions.githubusercontent.com";

/** Policy documents carried by a resource: `policy` of policy resources, `inlinePolicies` of roles. */
function documents(type: string, p: any): any[] {
  if (type === ROLE) return asArray(p.inlinePolicies).map((i: any) => parseJson(i?.policy));
  return [parseJson(p.policy)];
}
const allows = (doc: any) => asArray(doc?.Statement).filter((s: any) => s?.Effect === "Allow");
const actionsOf = (s: any): string[] => asArray(s?.Action).map(String);
const resourcesOf = (s: any): string[] => asArray(s?.Resource).map(String);

/** Actions that have no resource-level permissions, so "*" is the only valid resource. */
export const RESOURCELESS_ACTIONS = [
  /^ecr:GetAuthorizationToken$/i,
  /^sts:GetCallerIdentity$/i,
  /:(List|Describe)[A-Za-z]*$/,
  /^logs:DescribeLogGroups$/i,
  /^ec2:Describe/i,
  /^kms:CreateKey$/i,
  /^eks:CreateCluster$/i,
  /^ecs:DeregisterTaskDefinition$/i,
  // The ALB half of a WAFv2 web ACL association; the web ACL half (wafv2:AssociateWebACL) is scoped.
  /^elasticloadbalancing:SetWebAcl$/i,
  // Publishing metrics (scoped by the cloudwatch:namespace condition instead) and creating an AWS
  // Chatbot channel configuration have no resource-level permissions either.
  /^cloudwatch:PutMetricData$/i,
  /^chatbot:CreateSlackChannelConfiguration$/i,
];
/** Actions that let a principal grant itself more power when unscoped (CKV_AWS_286). */
export const ESCALATION_ACTIONS = [
  "iam:passrole",
  "iam:createpolicyversion",
  "iam:setdefaultpolicyversion",
  "iam:attachrolepolicy",
  "iam:attachuserpolicy",
  "iam:putrolepolicy",
  "iam:putuserpolicy",
  "iam:createaccesskey",
  "iam:updateassumerolepolicy",
  "iam:createloginprofile",
  "iam:updateloginprofile",
  "iam:addusertogroup",
  "lambda:updatefunctioncode",
  "iam:*",
];
const isWrite = (a: string) =>
  !/:(Get|List|Describe|BatchGet|Head|Query|Scan|View|Lookup)[A-Za-z]*\*?$/i.test(a) && a !== "*";

/** Problems with a GitHub OIDC trust statement; empty when `sub` and `aud` are pinned as checkov and AWS require. */
export function githubTrustProblems(statement: any): string[] {
  const cond = statement?.Condition ?? {};
  const values = (key: string) =>
    Object.values(cond).flatMap((block: any) =>
      block && typeof block === "object" && key in block ? asArray(block[key]).map(String) : [],
    );
  const out: string[] = [];
  const aud = values(`${GITHUB_OIDC}:aud`);
  if (aud.length === 0 || aud.some((a) => a !== "sts.amazonaws.com"))
    out.push(`${GITHUB_OIDC}:aud is not pinned to "sts.amazonaws.com"`);
  const subs = values(`${GITHUB_OIDC}:sub`);
  if (subs.length === 0) out.push(`${GITHUB_OIDC}:sub is not constrained`);
  for (const sub of subs) {
    // checkov oidc_utils: not "*", not claim:*, not repo:org*, and the first claim must be repo/org scoped.
    const first = sub.split(":")[0];
    if (
      sub === "*" ||
      /^[a-z_]+:\*$/.test(sub) ||
      /^repo:[^/]*\*/.test(sub) ||
      !/^repo:[^/*]+\/[^:*]+:/.test(sub)
    ) {
      out.push(`${GITHUB_OIDC}:sub ${JSON.stringify(sub)} does not pin one repository`);
    } else if (["workflow", "environment", "ref", "context", "head_ref", "base_ref"].includes(first)) {
      out.push(`${GITHUB_OIDC}:sub ${JSON.stringify(sub)} starts with a claim any repository can present`);
    }
  }
  return out;
}

export const iamRules = [
  resourceRule(
    {
      name: "iam-role-pin-github-oidc-trust",
      types: [ROLE],
      anchors: ["CKV_AWS_358", "CKV_AWS_393"],
      summary:
        "Roles trusting GitHub's OIDC provider pin aud to sts.amazonaws.com and sub to one repository.",
      severity: "critical",
      remediation:
        'Add StringEquals { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": "repo:<owner>/<repo>:environment:<env>" }.',
    },
    (p) =>
      asArray(parseJson(p.assumeRolePolicy)?.Statement)
        .filter(
          (s: any) =>
            s?.Effect === "Allow" &&
            asArray(s?.Principal?.Federated).some((f: any) => String(f).includes(GITHUB_OIDC)),
        )
        .flatMap(githubTrustProblems),
  ),
  resourceRule(
    {
      name: "iam-role-disallow-open-trust",
      types: [ROLE],
      anchors: ["CKV_AWS_60", "CKV_AWS_61"],
      summary:
        'Role trust policies name specific principals: never "*", never a whole account without conditions.',
      severity: "critical",
      remediation:
        "Trust a service, a specific role, or an account root with conditions (e.g. sts:ExternalId, aws:PrincipalArn).",
    },
    (p) =>
      asArray(parseJson(p.assumeRolePolicy)?.Statement)
        .filter((s: any) => s?.Effect === "Allow")
        .flatMap((s: any) => {
          if (isEveryone(s.Principal)) return ['trust policy allows Principal "*"'];
          const roots = asArray(s.Principal?.AWS)
            .map(String)
            .filter((a) => /:root$|^\d{12}$/.test(a));
          return roots.length && !s.Condition
            ? [`trust policy allows whole account ${roots.join(", ")} without conditions`]
            : [];
        }),
  ),
  resourceRule(
    {
      name: "iam-policy-disallow-admin-actions",
      types: [...POLICY_TYPES, ROLE],
      anchors: ["CKV_AWS_62", "CKV_AWS_63", "AVD-AWS-0057", "CKV2_AWS_40"],
      summary: 'Policies never allow Action "*" or a whole service\'s "iam:*".',
      severity: "critical",
      remediation: "List the actions the principal needs.",
    },
    (p, { type }) =>
      documents(type, p).flatMap((d) =>
        allows(d).flatMap((s: any) =>
          actionsOf(s)
            .filter((a) => a === "*" || a.toLowerCase() === "iam:*")
            .map((a) => `allows Action ${JSON.stringify(a)}`),
        ),
      ),
  ),
  resourceRule(
    {
      name: "iam-policy-disallow-unscoped-writes",
      types: [...POLICY_TYPES, ROLE],
      anchors: ["CKV_AWS_355", "CKV_AWS_290", "CKV_AWS_289", "CKV_AWS_288"],
      summary: 'Write and permissions-management actions are scoped to resources, not "*".',
      severity: "high",
      remediation:
        'Replace Resource "*" with the ARNs the actions need; only resource-less actions (ecr:GetAuthorizationToken, Describe*, List*) may use "*".',
    },
    (p, { type }) =>
      documents(type, p).flatMap((d) =>
        allows(d)
          .filter((s: any) => resourcesOf(s).includes("*"))
          .flatMap((s: any) =>
            actionsOf(s).filter((a) => isWrite(a) && !RESOURCELESS_ACTIONS.some((r) => r.test(a))),
          )
          .map((a) => `allows ${a} on Resource "*"`),
      ),
  ),
  resourceRule(
    {
      name: "iam-policy-disallow-privilege-escalation",
      types: [...POLICY_TYPES, ROLE],
      anchors: ["CKV_AWS_286", "CKV_AWS_287", "AVD-AWS-0342"],
      summary:
        "Policies do not allow unscoped privilege escalation (iam:PassRole on *, CreatePolicyVersion, AttachRolePolicy…).",
      severity: "critical",
      remediation:
        "Scope iam:PassRole to specific role ARNs with iam:PassedToService; remove policy-management actions.",
    },
    (p, { type }) =>
      documents(type, p).flatMap((d) =>
        allows(d)
          .filter((s: any) =>
            resourcesOf(s).some((r) => r === "*" || r.endsWith(":role/*") || r.endsWith(":user/*")),
          )
          .flatMap((s: any) => actionsOf(s).filter((a) => ESCALATION_ACTIONS.includes(a.toLowerCase())))
          .map((a) => `allows ${a} on an unscoped resource`),
      ),
  ),
  resourceRule(
    {
      name: "iam-attachment-disallow-admin-policies",
      types: [
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/policyAttachment:PolicyAttachment",
        ROLE,
      ],
      anchors: ["CKV_AWS_274", "CKV2_AWS_56"],
      summary: "AdministratorAccess, IAMFullAccess and PowerUserAccess are never attached.",
      severity: "critical",
      remediation: "Attach a least-privilege policy instead.",
    },
    (p) =>
      [p.policyArn, ...asArray(p.managedPolicyArns)]
        .map(String)
        .filter((a) => /:policy\/(AdministratorAccess|IAMFullAccess|PowerUserAccess)$/.test(a))
        .map((a) => `attaches ${a}`),
  ),
  resourceRule(
    {
      name: "iam-user-disallow-direct-policies",
      types: ["aws:iam/userPolicyAttachment:UserPolicyAttachment", "aws:iam/userPolicy:UserPolicy"],
      anchors: [
        "CKV_AWS_40",
        "AVD-AWS-0143",
        "CP aws-iam-user-policy-attachment-only-attachment-through-groups",
      ],
      summary: "Policies are never attached to IAM users directly.",
      severity: "medium",
      remediation: "Attach policies to groups or roles; CI uses GitHub OIDC roles.",
    },
    (_p, { type }) => [`${type.split(":").pop()} attaches a policy to a user`],
  ),
  resourceRule(
    {
      name: "iam-accesskey-disallow-long-lived",
      types: ["aws:iam/accessKey:AccessKey"],
      anchors: ["CKV_AWS_273", "AG access-keys-rotated"],
      summary: "No long-lived IAM access keys: CI authenticates by GitHub OIDC.",
      severity: "high",
      remediation: "Delete the access key; give the workload an OIDC or IRSA role.",
    },
    () => ["creates a long-lived access key"],
  ),
  stackRule(
    {
      name: "iam-role-no-policy-management-conflicts",
      anchors: ["AG iam-role-no-policy-management-conflicts"],
      summary:
        "A role's policies are managed one way: inline/managedPolicyArns on the role, or separate attachment resources, never both.",
      severity: "medium",
      remediation:
        "Move the role's inlinePolicies/managedPolicyArns into RolePolicy/RolePolicyAttachment resources (or the reverse).",
    },
    (resources) => {
      // Attachments depend on the role they attach to; the engine gives us those edges.
      const attachedRoleUrns = new Set(
        resources
          .filter(
            (r) =>
              r.type === "aws:iam/rolePolicy:RolePolicy" ||
              r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
          )
          .flatMap((r) => r.dependencies.map((d) => d.urn)),
      );
      return resources
        .filter((r) => r.type === ROLE && attachedRoleUrns.has(r.urn))
        .filter(
          (r) => asArray(r.props.inlinePolicies).length > 0 || asArray(r.props.managedPolicyArns).length > 0,
        )
        .map((r) => ({
          urn: r.urn,
          message: `role ${r.name} has inline/exclusive policies and separate attachment resources`,
        }));
    },
  ),
];
