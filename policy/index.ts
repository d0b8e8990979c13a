// The policy pack entry point: only constructs the pack. Rules live in ./policies.ts.
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("delivery-platform", { policies });
