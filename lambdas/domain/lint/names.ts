/**
 * Checks of the names in a Subscriber certificate's subjectAltName (BR 7.1.2.7.12): dNSName
 * syntax, Internal Names and Reserved IP Addresses (both defined in BR 1.6.1).
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** RFC 1035 2.3.4: a label is at most 63 octets, a name at most 253 in text form. */
const MAX_LABEL = 63;
const MAX_NAME = 253;
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;

/**
 * Top-level domains that are never public, with the reason. A full IANA root-zone list would
 * also catch made-up suffixes; this list holds the reserved and commonly used internal ones,
 * which is what misissued certificates carry in practice.
 */
export const INTERNAL_TLDS: Readonly<Record<string, string>> = Object.freeze({
  test: 'RFC 2606 / RFC 6761 reserved',
  example: 'RFC 2606 reserved',
  invalid: 'RFC 2606 / RFC 6761 reserved',
  localhost: 'RFC 6761 reserved',
  local: 'RFC 6762 multicast DNS',
  internal: 'ICANN reserved for private use (2024)',
  intranet: 'common internal suffix, not delegated',
  lan: 'common internal suffix, not delegated',
  localdomain: 'common internal suffix, not delegated',
  corp: 'ICANN name collision, indefinitely not delegated',
  home: 'ICANN name collision, indefinitely not delegated',
  mail: 'ICANN name collision, indefinitely not delegated',
  private: 'common internal suffix, not delegated',
});

export type DnsNameProblem =
  | { readonly kind: 'underscore' }
  | { readonly kind: 'invalid'; readonly why: string }
  | { readonly kind: 'internal'; readonly why: string };

/** What is wrong with one dNSName, or null when nothing is. */
export function dnsNameProblem(name: string): DnsNameProblem | null {
  const text = name.endsWith('.') ? name.slice(0, -1) : name;
  if (text.length === 0) return { kind: 'invalid', why: 'empty name' };
  if (text.length > MAX_NAME) return { kind: 'invalid', why: 'longer than 253 characters' };
  const labels = text.split('.');
  if (text.includes('_')) return { kind: 'underscore' };
  for (const [i, label] of labels.entries()) {
    if (label === '*' && i === 0) {
      // BR 3.2.2.6: never a wildcard directly under a top-level domain.
      if (labels.length <= 2) return { kind: 'invalid', why: 'wildcard directly under a TLD' };
      continue;
    }
    if (label.includes('*')) return { kind: 'invalid', why: 'wildcard not a whole leftmost label' };
    if (label.length === 0) return { kind: 'invalid', why: 'empty label' };
    if (label.length > MAX_LABEL) return { kind: 'invalid', why: 'label longer than 63' };
    if (!LDH_LABEL.test(label)) return { kind: 'invalid', why: `label "${label}" is not LDH` };
  }
  const tld = (labels.at(-1) ?? '').toLowerCase();
  if (labels.length === 1) return { kind: 'internal', why: 'a single-label name' };
  if (/^\d+$/.test(tld)) return { kind: 'invalid', why: 'an IP address written as a dNSName' };
  const reserved = INTERNAL_TLDS[tld];
  if (reserved !== undefined) return { kind: 'internal', why: `.${tld}: ${reserved}` };
  if (labels.length >= 2 && labels.slice(-2).join('.').toLowerCase() === 'home.arpa') {
    return { kind: 'internal', why: '.home.arpa: RFC 8375 residential networks' };
  }
  return null;
}

/**
 * The IANA IPv4 and IPv6 Special-Purpose Address Registries: BR 1.6.1 calls every address in
 * any of their blocks a Reserved IP Address, whether or not it is globally reachable.
 */
const SPECIAL_PURPOSE: readonly (readonly [string, number, 'ipv4' | 'ipv6'])[] = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.0.2.0', 24, 'ipv4'],
  ['192.31.196.0', 24, 'ipv4'],
  ['192.52.193.0', 24, 'ipv4'],
  ['192.88.99.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['192.175.48.0', 24, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['198.51.100.0', 24, 'ipv4'],
  ['203.0.113.0', 24, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['::', 127, 'ipv6'],
  ['::ffff:0:0', 96, 'ipv6'],
  ['64:ff9b::', 96, 'ipv6'],
  ['64:ff9b:1::', 48, 'ipv6'],
  ['100::', 64, 'ipv6'],
  ['2001::', 23, 'ipv6'],
  ['2001:db8::', 32, 'ipv6'],
  ['2002::', 16, 'ipv6'],
  ['2620:4f:8000::', 48, 'ipv6'],
  ['3fff::', 20, 'ipv6'],
  ['5f00::', 16, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
];

// One list per family: a BlockList also matches IPv4 addresses against IPv4-mapped IPv6 rules,
// so `::ffff:0:0/96` in a shared list would make every IPv4 address reserved.
const RESERVED_V4 = new BlockList();
const RESERVED_V6 = new BlockList();
for (const [net, prefix, family] of SPECIAL_PURPOSE) {
  (family === 'ipv4' ? RESERVED_V4 : RESERVED_V6).addSubnet(net, prefix, family);
}

/** True for an address in a special-purpose block; false for a public or unreadable one. */
export function isReservedIp(address: string): boolean {
  if (isIPv4(address)) return RESERVED_V4.check(address, 'ipv4');
  if (isIPv6(address)) return RESERVED_V6.check(address, 'ipv6');
  return false;
}
