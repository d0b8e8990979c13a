/** Value shapes several config sections share, and the project name their keys live under. */
import { z } from "zod";

/** The Pulumi project: config keys are `platform:<key>`. */
export const PROJECT = "platform";

export const dnsLabel = z
  .string()
  .regex(
    /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/,
    "must be a DNS label: lowercase letters, digits and '-', 1-40 chars",
  );
export const cidr = z
  .string()
  .regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, "must be an IPv4 CIDR such as 10.0.0.0/16")
  .refine(
    // Only a value of the CIDR's shape: another is refused by the pattern's message alone.
    (v) =>
      !/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/.test(v) ||
      (v
        .split("/")[0]
        .split(".")
        .every((o) => Number(o) <= 255) &&
        Number(v.split("/")[1]) <= 32),
    {
      message: "must be an IPv4 CIDR with octets 0-255 and a prefix 0-32",
    },
  );

/**
 * A GitHub user or organisation name: 1-39 letters, digits or hyphens, no leading, trailing or
 * doubled hyphen (GitHub's sign-up rule; the same holds for organisations).
 */
export const githubLogin = (what: string) =>
  z
    .string()
    .regex(
      /^[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}$/,
      `must be ${what}: 1-39 letters, digits or single hyphens, neither first nor last`,
    );

/** A GitHub repository name: up to 100 letters, digits, '.', '_' or '-', and not "." or "..". */
export const githubRepositoryName = z
  .string()
  .regex(
    /^[A-Za-z0-9._-]{1,100}$/,
    "must be a GitHub repository name: up to 100 letters, digits, '.', '_' or '-'",
  )
  .refine((v) => v !== "." && v !== "..", {
    message: 'must be a GitHub repository name other than "." and ".."',
  });
