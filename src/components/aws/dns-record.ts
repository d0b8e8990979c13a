/**
 * The Route 53 record of a service: `<service>.<domain>` as an alias A record of the ALB that
 * serves it (the ECS ALB, or the one the AWS Load Balancer Controller made for an Ingress).
 */
import * as aws from "../../lib/aws";
import * as pulumi from "@pulumi/pulumi";

/** Where a host name points. */
export interface AliasTarget {
  /** The load balancer's DNS name. */
  readonly dnsName: pulumi.Input<string>;
  /** The load balancer's canonical hosted zone (per region and type). */
  readonly zoneId: pulumi.Input<string>;
}

/**
 * An alias A record: no TTL (Route 53 follows the ALB's addresses), health evaluated from the
 * ALB's targets so a failing service fails its record's health too.
 */
export function planAliasRecord(hostedZoneId: string, hostName: string, target: AliasTarget) {
  return {
    zoneId: hostedZoneId,
    name: hostName,
    type: "A",
    aliases: [{ name: target.dnsName, zoneId: target.zoneId, evaluateTargetHealth: true }],
  };
}

/** Whether a host name lies in a zone's domain: the domain itself or a name under it. */
export function withinZone(hostName: string, zoneName: string): boolean {
  const zone = zoneName.replace(/\.$/, "").toLowerCase();
  const host = hostName.toLowerCase();
  return host === zone || host.endsWith(`.${zone}`);
}

/**
 * The record `${name}-dns` for `hostName` in the zone, pointing at `target`. The zone is read
 * first (GetHostedZone, at preview as at up): Route 53 refuses a record outside its zone's domain
 * (InvalidChangeBatch, "RRSet with DNS name … is not permitted in zone …") only when the change
 * is applied, so the preview fails on it by name instead.
 */
export function createServiceRecord(
  name: string,
  hostedZoneId: string,
  hostName: string,
  target: AliasTarget,
  opts: pulumi.CustomResourceOptions,
): aws.route53.Record {
  const zone = aws.route53.getZoneOutput(
    { zoneId: hostedZoneId },
    { parent: opts.parent, provider: opts.provider },
  );
  const checkedName = zone.name.apply((zoneName) => {
    if (!withinZone(hostName, zoneName))
      throw new Error(
        `${hostName} is outside hosted zone ${hostedZoneId} (${zoneName}): Route 53 refuses a record outside its zone's domain; set platform:dns.domain inside ${zoneName}, or platform:dns.hostedZoneId to the zone of ${hostName}`,
      );
    return hostName;
  });
  return new aws.route53.Record(
    `${name}-dns`,
    { ...planAliasRecord(hostedZoneId, hostName, target), name: checkedName },
    opts,
  );
}

/** The canonical hosted zone of application load balancers in the provider's region. */
export function albZoneId(opts: pulumi.InvokeOutputOptions): pulumi.Output<string> {
  return aws.lb.getHostedZoneIdOutput({ loadBalancerType: "application" }, opts).id;
}
