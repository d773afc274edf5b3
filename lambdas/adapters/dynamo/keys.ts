/**
 * Item keys of the tables, told apart by the partition key's prefix. `event` keys live in the
 * audit table, `inventoryCertificate` in the inventory, every other key in the cases table.
 */
import { createHash } from 'node:crypto';

export const OPEN_INDEX_PARTITION = 'OPEN';

export const keys = {
  case: (id: string) => ({ pk: `CASE#${id}`, sk: 'CASE' }),
  event: (caseId: string, eventId: string) => ({ pk: `CASE#${caseId}`, sk: `EVENT#${eventId}` }),
  /** Sorted by receipt time, so a query lists a case's messages oldest first. */
  caseMessage: (
    caseId: string,
    m: { readonly receivedAt: string; readonly sesMessageId: string },
  ) => ({
    pk: `CASE#${caseId}`,
    sk: `MESSAGE#${m.receivedAt}#${m.sesMessageId}`,
  }),
  message: (sesMessageId: string) => ({ pk: `MSG#${sesMessageId}`, sk: 'MSG' }),
  /** Message-ID headers are sender-chosen and can be long: hashed to keep keys small. */
  messageIdHeader: (header: string) => ({
    pk: `MID#${createHash('sha256').update(header.trim().toLowerCase()).digest('hex')}`,
    sk: 'MID',
  }),
  heartbeat: () => ({ pk: 'HEARTBEAT#canary', sk: 'HEARTBEAT' }),
  /** A canary nonce that a message used (hex, so it is a key as it is). */
  canaryNonce: (nonce: string) => ({ pk: `CANARY#${nonce}`, sk: 'NONCE' }),
  outbound: (sesMessageId: string) => ({ pk: `OUT#${sesMessageId}`, sk: 'OUT' }),
  /** One revocation obligation per certificate, next to its case (a Query lists them). */
  revocation: (caseId: string, sha256: string) => ({ pk: `CASE#${caseId}`, sk: `REV#${sha256}` }),
  /** The compromised-key blocklist: one partition, so the export is a single Query. */
  blockedKey: (spki: string) => ({ pk: 'BLOCKLIST', sk: `SPKI#${spki}` }),
  /** One claim per automatic send (`acknowledgment#<case id>`): at most once. */
  sendClaim: (key: string) => ({ pk: `CLAIM#${key}`, sk: 'CLAIM' }),
  /** Sends in the window for one rate-limited key (`address:...`, `domain:...`). */
  rateCounter: (key: string) => ({ pk: `RATE#${key}`, sk: 'RATE' }),
  /**
   * A certificate: at its serial's home (`CERT#<serial>`), or, when the home already holds a
   * certificate of another issuer with that serial, under its own issuer key (`-` when the
   * inventory does not know the issuer).
   */
  inventoryCertificate: (serial: string, issuerKey?: string) => ({
    pk: issuerKey === undefined ? `CERT#${serial}` : `CERT#${serial}#${issuerKey}`,
  }),
} as const;
