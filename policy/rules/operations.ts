/**
 * What pages on-call stays private and reaches someone: alarm topics are encrypted with KMS (the
 * notifications carry service names, thresholds and datapoints), and an alarm notifies somewhere.
 */
import { asArray, resourceRule } from "../lib/rule";

const TOPIC = "aws:sns/topic:Topic";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

export const operationsRules = [
  resourceRule(
    {
      name: "sns-topic-require-kms-encryption",
      types: [TOPIC],
      anchors: ["CKV_AWS_26", "AVD-AWS-0095"],
      summary: "SNS topics are encrypted at rest with a KMS key.",
      severity: "high",
      remediation:
        "Set kmsMasterKeyId to a customer-managed key; for a topic CloudWatch alarms publish to, the key policy must let cloudwatch.amazonaws.com use it (the AWS-managed alias/aws/sns key does not).",
    },
    (p) => (p.kmsMasterKeyId ? [] : ["kmsMasterKeyId is not set: the topic is not encrypted"]),
  ),
  resourceRule(
    {
      name: "cloudwatch-alarm-require-actions",
      types: [ALARM],
      anchors: ["AG cloudwatch-alarm-action-check"],
      summary:
        "CloudWatch alarms notify someone when they fire (alarmActions) and when they clear (okActions).",
      severity: "medium",
      remediation: "Set alarmActions and okActions to the stack's alarm topic.",
    },
    (p) => [
      ...(p.actionsEnabled === false ? ["actionsEnabled is false: the alarm notifies nobody"] : []),
      ...(asArray(p.alarmActions).length === 0 ? ["alarmActions is empty: the alarm notifies nobody"] : []),
      ...(asArray(p.okActions).length === 0 ? ["okActions is empty: nobody hears that it cleared"] : []),
    ],
  ),
];
