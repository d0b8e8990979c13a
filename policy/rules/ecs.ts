import { asArray, parseJson, resourceRule } from "../lib/rule";

const TASK = "aws:ecs/taskDefinition:TaskDefinition";
const containers = (p: any): any[] => asArray(parseJson(p.containerDefinitions));
const each = (p: any, bad: (c: any) => string | undefined): string[] =>
  containers(p).flatMap((c) => {
    const m = bad(c);
    return m ? [`container ${c?.name ?? "?"}: ${m}`] : [];
  });

/** Env names or values that look like credentials. */
export const SECRET_NAME =
  /(pass(word)?|secret|token|api[_-]?key|private[_-]?key|credential|access[_-]?key)/i;
export const SECRET_VALUE =
  /(^AKIA[0-9A-Z]{16}$|^gh[pousr]_[A-Za-z0-9]{20,}|^xox[abpr]-|-----BEGIN [A-Z ]*PRIVATE KEY|hooks\.slack\.com\/services\/|:\/\/[^/\s:@]+:[^/\s@]+@)/;

export const ecsRules = [
  resourceRule(
    {
      name: "ecs-taskdefinition-disallow-privileged",
      types: [TASK],
      anchors: ["CKV_AWS_334"],
      summary: "Containers never run privileged.",
      severity: "critical",
      remediation: "Remove privileged: true from the container definition.",
    },
    (p) => each(p, (c) => (c?.privileged === true ? "privileged is true" : undefined)),
  ),
  resourceRule(
    {
      name: "ecs-taskdefinition-enable-read-only-root",
      types: [TASK],
      anchors: ["CKV_AWS_336"],
      summary: "Containers run with a read-only root filesystem.",
      severity: "high",
      remediation: "Set readonlyRootFilesystem: true; mount a volume for paths that must be writable.",
    },
    (p) =>
      each(p, (c) => (c?.readonlyRootFilesystem === true ? undefined : "readonlyRootFilesystem is not true")),
  ),
  resourceRule(
    {
      name: "ecs-taskdefinition-disallow-root-user",
      types: [TASK],
      anchors: ["CKV_K8S_23 (ECS analogue)", "KSV-0012"],
      summary: "Containers run as a non-root user.",
      severity: "high",
      remediation: 'Set user to a non-zero uid, e.g. "10001:10001".',
    },
    (p) =>
      each(p, (c) => {
        const uid = String(c?.user ?? "").split(":")[0];
        return uid === "" || uid === "0" || uid === "root"
          ? `user is ${JSON.stringify(c?.user ?? "unset (root)")}`
          : undefined;
      }),
  ),
  resourceRule(
    {
      name: "ecs-taskdefinition-disallow-host-namespaces",
      types: [TASK],
      anchors: ["CKV_AWS_335"],
      summary: "Tasks do not share the host's PID or IPC namespace.",
      severity: "high",
      remediation: 'Remove pidMode/ipcMode "host".',
    },
    (p) => ["pidMode", "ipcMode"].filter((k) => p[k] === "host").map((k) => `${k} is "host"`),
  ),
  resourceRule(
    {
      name: "ecs-taskdefinition-disallow-plaintext-secrets",
      types: [TASK],
      anchors: ["AVD-AWS-0036"],
      summary: "Secrets reach containers through secrets[].valueFrom, never plain environment values.",
      severity: "critical",
      remediation: "Move the value to Secrets Manager or SSM and reference it in secrets[].valueFrom.",
    },
    (p) =>
      containers(p).flatMap((c) =>
        asArray(c?.environment)
          .filter((e: any) => SECRET_NAME.test(String(e?.name)) || SECRET_VALUE.test(String(e?.value)))
          .map((e: any) => `container ${c?.name}: environment ${e?.name} looks like a secret`),
      ),
  ),
  resourceRule(
    {
      name: "ecs-taskdefinition-separate-roles",
      types: [TASK],
      anchors: ["CKV_AWS_249"],
      summary: "The ECS agent's execution role and the application's task role differ.",
      severity: "medium",
      remediation: "Create a task role for the application, separate from the execution role.",
    },
    (p) =>
      p.executionRoleArn && p.executionRoleArn === p.taskRoleArn
        ? ["executionRoleArn equals taskRoleArn"]
        : [],
  ),
  resourceRule(
    {
      name: "ecs-taskdefinition-enable-efs-transit-encryption",
      types: [TASK],
      anchors: ["CKV_AWS_97", "AVD-AWS-0035"],
      summary: "EFS volumes are mounted with in-transit encryption.",
      severity: "high",
      remediation: 'Set efsVolumeConfiguration.transitEncryption = "ENABLED".',
    },
    (p) =>
      asArray(p.volumes)
        .filter(
          (v: any) => v?.efsVolumeConfiguration && v.efsVolumeConfiguration.transitEncryption !== "ENABLED",
        )
        .map((v: any) => `volume ${v.name} mounts EFS without transit encryption`),
  ),
  resourceRule(
    {
      name: "ecs-taskdefinition-configure-logging",
      types: [TASK],
      anchors: ["FSBP ECS.9"],
      summary: "Every container has a log driver.",
      severity: "medium",
      remediation: 'Set logConfiguration = { logDriver: "awslogs", options: {...} }.',
    },
    (p) => each(p, (c) => (c?.logConfiguration?.logDriver ? undefined : "no logConfiguration.logDriver")),
  ),
  resourceRule(
    {
      name: "ecs-service-disallow-public-ip",
      types: ["aws:ecs/service:Service"],
      anchors: ["CKV_AWS_333"],
      summary: "ECS tasks get no public IP addresses.",
      severity: "high",
      remediation: "Set networkConfiguration.assignPublicIp = false and run tasks in private subnets.",
    },
    (p) =>
      p.networkConfiguration?.assignPublicIp === true ? ["networkConfiguration.assignPublicIp is true"] : [],
  ),
  resourceRule(
    {
      name: "ecs-service-require-latest-platform",
      types: ["aws:ecs/service:Service"],
      anchors: ["CKV_AWS_332"],
      summary: "Fargate services run the latest platform version.",
      severity: "low",
      remediation: 'Remove platformVersion or set it to "LATEST".',
    },
    (p) =>
      p.platformVersion === undefined || p.platformVersion === "LATEST"
        ? []
        : [`platformVersion is ${p.platformVersion}`],
  ),
  resourceRule(
    {
      name: "ecs-cluster-enable-container-insights",
      types: ["aws:ecs/cluster:Cluster"],
      anchors: ["CKV_AWS_65", "AVD-AWS-0034"],
      summary: "ECS clusters have Container Insights on.",
      severity: "medium",
      remediation: 'Add settings [{ name: "containerInsights", value: "enabled" | "enhanced" }].',
    },
    (p) =>
      asArray(p.settings).some(
        (s: any) => s?.name === "containerInsights" && ["enabled", "enhanced"].includes(s?.value),
      )
        ? []
        : ["containerInsights is not enabled"],
  ),
  resourceRule(
    {
      name: "ecs-cluster-configure-exec-logging",
      types: ["aws:ecs/cluster:Cluster"],
      anchors: ["CKV_AWS_223", "CKV_AWS_224"],
      summary: "ECS Exec sessions are logged and encrypted with KMS.",
      severity: "medium",
      remediation:
        'Set configuration.executeCommandConfiguration = { kmsKeyId, logging: "OVERRIDE" | "DEFAULT", … }.',
    },
    (p) => {
      const e = p.configuration?.executeCommandConfiguration;
      const out: string[] = [];
      if (!e?.kmsKeyId) out.push("executeCommandConfiguration.kmsKeyId is not set");
      if (!e || e.logging === "NONE") out.push("ECS Exec sessions are not logged");
      return out;
    },
  ),
];
