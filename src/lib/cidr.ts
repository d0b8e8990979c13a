/**
 * Subnet arithmetic for the network layer. The VPC block is cut into 16 equal blocks (prefix + 4):
 * public subnets take blocks 0..n-1, private subnets blocks 8..8+n-1, leaving room to grow to
 * six AZs and to add a third tier later without renumbering.
 */
export interface SubnetPlan {
  readonly publicCidrs: string[];
  readonly privateCidrs: string[];
}

function toInt(ip: string): number {
  return ip.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function toIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/** Splits `vpcCidr` into `azCount` public and private subnets. */
export function planSubnets(vpcCidr: string, azCount: number): SubnetPlan {
  const [ip, prefixText] = vpcCidr.split("/");
  const prefix = Number(prefixText);
  if (azCount < 1 || azCount > 6) throw new RangeError(`azCount must be 1-6, got ${azCount}`);
  if (prefix > 24) throw new RangeError(`VPC prefix must be /24 or larger, got /${prefix}`);
  const blockSize = 2 ** (32 - (prefix + 4));
  const base = toInt(ip) - (toInt(ip) % (blockSize * 16));
  const cidrAt = (i: number) => `${toIp(base + i * blockSize)}/${prefix + 4}`;
  return {
    publicCidrs: Array.from({ length: azCount }, (_, i) => cidrAt(i)),
    privateCidrs: Array.from({ length: azCount }, (_, i) => cidrAt(8 + i)),
  };
}
