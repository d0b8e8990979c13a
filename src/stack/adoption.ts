/**
 * Adopting an existing repository: a `pulumi import --file` document generated from what the
 * program itself registers for a stack (`npm run adopt`), so each imported object gets exactly the
 * URN (type, logical name, component parents) and provider the next `pulumi up` expects, and that
 * `up` converges the adopted objects instead of creating them anew.
 *
 * Only objects whose creation fails when they already exist, or that exist in every repository
 * (its settings), are adoptable; the rest are upserted by `pulumi up` (environments' secrets,
 * generated files) or cannot exist yet (the delivery branch, its pull request, release rulesets).
 */
export const ADOPTION_KINDS = [
  "repository",
  "branch-protection",
  "label",
  "environments",
  "variables",
] as const;
export type AdoptionKind = (typeof ADOPTION_KINDS)[number];

/** What the adoption needs to know of a registered resource (the mock harness records it). */
export interface RegisteredResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly custom: boolean;
  readonly parent?: string;
  /** Provider reference, `<provider urn>::<id>`. */
  readonly provider?: string;
  readonly inputs: Record<string, any>;
}

/** One entry of the import file (the CLI's format: `pulumi import --help`). */
export interface ImportSpec {
  readonly type: string;
  /** Name inside the file (parents and providers refer to it). */
  readonly name: string;
  /** The resource's Pulumi name. */
  readonly logicalName: string;
  readonly id?: string;
  readonly parent?: string;
  readonly provider?: string;
  readonly component?: boolean;
  /** Version of the provider plugin that reads the object (the program's SDK version). */
  readonly version?: string;
}

export interface ImportFile {
  readonly nameTable: Record<string, string>;
  /** Inputs of the explicit provider, which the import creates in the stack when it is not there yet. */
  readonly providerInputs: Record<string, Record<string, unknown>>;
  readonly resources: ImportSpec[];
}

/** Adoptable types: the kind that selects them and their import ID (from the provider's docs). */
const ADOPTABLE: Record<string, { kind: AdoptionKind; id: (inputs: any, repository: string) => string }> = {
  "github:index/repository:Repository": { kind: "repository", id: (i) => i.name },
  "github:index/workflowRepositoryPermissions:WorkflowRepositoryPermissions": {
    kind: "repository",
    id: (_, repository) => repository,
  },
  "github:index/actionsRepositoryPermissions:ActionsRepositoryPermissions": {
    kind: "repository",
    id: (_, repository) => repository,
  },
  "github:index/branchProtection:BranchProtection": {
    kind: "branch-protection",
    id: (i, repository) => `${repository}:${i.pattern}`,
  },
  "github:index/issueLabel:IssueLabel": { kind: "label", id: (i, repository) => `${repository}:${i.name}` },
  "github:index/repositoryEnvironment:RepositoryEnvironment": {
    kind: "environments",
    id: (i, repository) => `${repository}:${escapeEnvironment(i.environment)}`,
  },
  "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable": {
    kind: "variables",
    id: (i, repository) => `${repository}:${escapeEnvironment(i.environment)}:${i.variableName}`,
  },
  "github:index/actionsVariable:ActionsVariable": {
    kind: "variables",
    id: (i, repository) => `${repository}:${i.variableName}`,
  },
};

/** The provider's import IDs write a `:` inside an environment name as `??`. */
const escapeEnvironment = (name: string) => name.replace(/:/g, "??");

const ROOT_STACK = "pulumi:pulumi:Stack";
const providerUrnOf = (ref: string) => ref.split("::").slice(0, -1).join("::");

/**
 * The import file adopting `kinds` of the stack's GitHub objects, their component parents and
 * their explicit provider (created with the inputs the program gives it, its token left out).
 */
export function adoptionFile(
  registered: readonly RegisteredResource[],
  options: {
    readonly repository: string;
    readonly kinds: readonly AdoptionKind[];
    /** The GitHub provider version the program uses. */
    readonly providerVersion?: string;
  },
): ImportFile {
  const byUrn = new Map(registered.map((r) => [r.urn, r]));
  const chosen = registered.filter((r) => r.custom && options.kinds.includes(ADOPTABLE[r.type]?.kind));
  const specs = new Map<string, ImportSpec>();
  const nameTable: Record<string, string> = {};
  const providerInputs: Record<string, Record<string, unknown>> = {};
  const taken = new Map<string, string>();
  const nameFor = (r: RegisteredResource): string => {
    const owner = taken.get(r.name);
    if (owner !== undefined && owner !== r.urn)
      throw new Error(`two adopted resources are named ${r.name}: ${owner} and ${r.urn}`);
    taken.set(r.name, r.urn);
    return r.name;
  };
  /** The component ancestors of a resource, outermost first, added once each. */
  const addParents = (parentUrn: string | undefined): string | undefined => {
    const parent = parentUrn ? byUrn.get(parentUrn) : undefined;
    if (!parent || parent.type === ROOT_STACK) return undefined;
    if (!specs.has(parent.urn)) {
      const grandparent = addParents(parent.parent);
      specs.set(parent.urn, {
        type: parent.type,
        name: nameFor(parent),
        logicalName: parent.name,
        component: true,
        ...(grandparent ? { parent: grandparent } : {}),
      });
    }
    return specs.get(parent.urn)!.name;
  };
  for (const r of chosen) {
    const parent = addParents(r.parent);
    let provider: string | undefined;
    if (r.provider) {
      const providerUrn = providerUrnOf(r.provider);
      const registration = byUrn.get(providerUrn);
      provider = registration ? registration.name : providerUrn.split("::").at(-1)!;
      nameTable[provider] = providerUrn;
      if (registration) {
        providerInputs[provider] = Object.fromEntries(
          Object.entries(registration.inputs).filter(([key]) => key !== "token"),
        );
      }
    }
    specs.set(r.urn, {
      type: r.type,
      name: nameFor(r),
      logicalName: r.name,
      id: ADOPTABLE[r.type].id(r.inputs, options.repository),
      ...(parent ? { parent } : {}),
      ...(provider ? { provider } : {}),
      ...(options.providerVersion ? { version: options.providerVersion } : {}),
    });
  }
  return { nameTable, providerInputs, resources: [...specs.values()] };
}
