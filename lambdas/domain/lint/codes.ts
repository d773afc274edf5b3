/**
 * The closed set of certificate lints: what each finding means, how serious it is and which rule
 * it breaks. One table, so that the code, `cpr show`, the team notice and docs/design.md agree.
 *
 * Severity:
 * - `error`: a MUST or MUST NOT of the Baseline Requirements or an RFC they incorporate is
 *   broken. A report whose certificates carry one is `misissuance` (BR 4.9.1.1 (12)).
 * - `warning`: a SHOULD is broken; shown to the team, never decides a classification.
 * - `notice`: a fact the team needs to read the report right (a precertificate, say).
 */

export const LINT_SEVERITIES = ['error', 'warning', 'notice'] as const;
export type LintSeverity = (typeof LINT_SEVERITIES)[number];

// biome-ignore format: a long list of names, packed to read as one block
export const LINT_CODES = [
  'dnsNameUnderscore', 'dnsNameInvalid', 'internalName', 'reservedIpAddress', 'commonNameNotInSan',
  'noSubjectAltName', 'organizationalUnitPresent', 'validityTooLong', 'ecKeyEncipherment',
  'placeholderSubjectValue', 'weakRsaKey', 'rsaModulusNotMultipleOf8', 'rsaExponentInvalid',
  'rsaExponentUnusual', 'ecCurveNotAllowed', 'keyAlgorithmNotAllowed',
  'precertificatePoisonInFinal', 'precertificate',
] as const;
export type LintCode = (typeof LINT_CODES)[number];

export interface LintDefinition {
  readonly severity: LintSeverity;
  /** The section that the finding breaks, as an auditor would cite it. */
  readonly rule: string;
  /** One line for people: what is wrong. */
  readonly summary: string;
}

export const LINTS: Readonly<Record<LintCode, LintDefinition>> = Object.freeze({
  dnsNameUnderscore: {
    severity: 'error',
    rule: 'BR 7.1.2.7.12; ballot SC-12',
    summary: 'a dNSName contains an underscore (prohibited since 2019-04-01)',
  },
  dnsNameInvalid: {
    severity: 'error',
    rule: 'BR 7.1.2.7.12; RFC 5280 4.2.1.6',
    summary: 'a dNSName is not in preferred name syntax (LDH labels, wildcard only leftmost)',
  },
  internalName: {
    severity: 'error',
    rule: 'BR 7.1.2.7.12; BR 1.6.1 "Internal Name"',
    summary: 'a name that does not end in a public top-level domain',
  },
  reservedIpAddress: {
    severity: 'error',
    rule: 'BR 7.1.2.7.12; BR 1.6.1 "Reserved IP Address"',
    summary: 'an IP address from the IANA special-purpose registries',
  },
  commonNameNotInSan: {
    severity: 'error',
    rule: 'BR 7.1.4.3',
    summary: 'the subject commonName is not one of the subjectAltName values',
  },
  noSubjectAltName: {
    severity: 'error',
    rule: 'BR 7.1.2.7.6; BR 7.1.2.7.12',
    summary: 'no subjectAltName extension, or one without any name',
  },
  organizationalUnitPresent: {
    severity: 'error',
    rule: 'BR 7.1.2.7.2-7.1.2.7.5; ballot SC-47',
    summary: 'subject organizationalUnitName (prohibited since 2022-09-01)',
  },
  validityTooLong: {
    severity: 'error',
    rule: 'BR 6.3.2',
    summary: 'validity period longer than allowed on its issuance date',
  },
  ecKeyEncipherment: {
    severity: 'error',
    rule: 'BR 7.1.2.7.11; RFC 5480 3',
    summary: 'keyEncipherment asserted for an EC key',
  },
  placeholderSubjectValue: {
    severity: 'error',
    rule: 'BR 7.1.2.7.2-7.1.2.7.5 (subject attributes verified, no metadata)',
    summary: 'a subject attribute holds a placeholder or metadata instead of verified data',
  },
  weakRsaKey: {
    severity: 'error',
    rule: 'BR 6.1.5',
    summary: 'RSA modulus shorter than 2048 bits',
  },
  rsaModulusNotMultipleOf8: {
    severity: 'error',
    rule: 'BR 6.1.5',
    summary: 'RSA modulus size in bits is not divisible by 8',
  },
  rsaExponentInvalid: {
    severity: 'error',
    rule: 'BR 6.1.6',
    summary: 'RSA public exponent is even or smaller than 3',
  },
  rsaExponentUnusual: {
    severity: 'warning',
    rule: 'BR 6.1.6',
    summary: 'RSA public exponent outside 2^16+1 .. 2^256-1 (SHOULD)',
  },
  ecCurveNotAllowed: {
    severity: 'error',
    rule: 'BR 6.1.5',
    summary: 'EC key on a curve other than P-256, P-384 or P-521',
  },
  keyAlgorithmNotAllowed: {
    severity: 'error',
    rule: 'BR 6.1.5',
    summary: 'public key algorithm other than RSA or ECDSA',
  },
  precertificatePoisonInFinal: {
    severity: 'error',
    rule: 'RFC 6962 3.1',
    summary: 'the precertificate poison extension in a certificate that carries SCTs',
  },
  precertificate: {
    severity: 'notice',
    rule: 'RFC 6962 3.1',
    summary: 'a precertificate (poison extension): the final certificate shares its serial',
  },
});

/** One finding on one certificate, as recorded on the case (`evidence.lints`). */
export interface CertificateLint {
  /** SHA-256 of the DER certificate. */
  readonly certificate: string;
  readonly code: LintCode;
  readonly severity: LintSeverity;
  /** What exactly was found, e.g. the offending name; sender-controlled text, bounded. */
  readonly detail: string;
  readonly rule: string;
}

/** True when a finding breaks a MUST: such a certificate is misissued. */
export function isMisissuance(lint: Pick<CertificateLint, 'severity'>): boolean {
  return lint.severity === 'error';
}
