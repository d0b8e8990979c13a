/**
 * IAM policy documents as typed data, serialised once. Roles and policies in this program are
 * built from these helpers so every document has the same shape the policy pack parses.
 */
import * as pulumi from "@pulumi/pulumi";

export interface Statement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: Record<string, pulumi.Input<string> | pulumi.Input<string>[]>;
  readonly Action: string | string[];
  readonly Resource?: pulumi.Input<string> | pulumi.Input<string>[];
  /** Every resource but these (a Deny that spares what is the principal's own). */
  readonly NotResource?: pulumi.Input<string> | pulumi.Input<string>[];
  readonly Condition?: Record<string, Record<string, pulumi.Input<string> | pulumi.Input<string>[]>>;
}

/** A policy document as a JSON string output (statements may hold outputs such as ARNs). */
export function policyDocument(statements: Statement[]): pulumi.Output<string> {
  return pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements });
}

/** Trust policy letting an AWS service assume a role, pinned to this account (confused deputy). */
export function serviceTrust(service: string, accountId?: pulumi.Input<string>): pulumi.Output<string> {
  return policyDocument([
    {
      Effect: "Allow",
      Principal: { Service: service },
      Action: "sts:AssumeRole",
      ...(accountId ? { Condition: { StringEquals: { "aws:SourceAccount": accountId } } } : {}),
    },
  ]);
}
