/** Help texts of `cpr` and its commands: one place, shown by `--help` and on usage errors. */

// biome-ignore format: a long list of names, packed to read as one block
export const COMMAND_NAMES = [
  'ingest', 'list', 'show', 'notice', 'send', 'close', 'replay', 'inventory', 'timeline', 'triage',
  'revoke', 'verify', 'blocklist',
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

const WHERE = `Which stack:
  (default)               the local stack (npm start), found through $CPR_DATA_DIR/stack.json
                          (CPR_DATA_DIR defaults to .cpr-data in the working directory)
  --data-dir DIR          the local stack's data directory (instead of CPR_DATA_DIR)
  --stack NAME            a deployed stack: resources from its CloudFormation outputs, with your
  --region REGION         normal AWS credentials (AWS_PROFILE, SSO, environment, ...)`;

export const COMMAND_HELP: Readonly<
  Record<CommandName, { summary: string; usage: string; details: string }>
> = {
  ingest: {
    summary: 'store .eml files and run intake on them exactly as SES would',
    usage: 'cpr ingest FILE.eml... [--json]',
    details: `Each file is stored in the inbound bucket under a new SES-like message id and the intake
function is invoked synchronously with an SES receipt event built from the file's headers, so the
message becomes (or joins) a case exactly as if SES had received it now. Receipt time is now: the
BR clocks start when the CA receives the report. No spam or virus scan ran, so those verdicts are
DISABLED; SPF, DKIM and DMARC are GRAY (not evaluated). Prints the case id, role and
classification per file. A file that cannot be read is reported and skipped; the command then
exits 1 after the others.`,
  },
  list: {
    summary: 'cases with their next deadline and open obligations, soonest first',
    usage: 'cpr list [--open] [--json]',
    details: `--open   only open cases with a deadline ahead (the openByDeadline index, soonest first);
         an open case whose reports were all sent and that has no revocation deadline drops
         out of this view.
Without --open every case is listed, sorted by next deadline (cases without one last), then by
receipt time.`,
  },
  show: {
    summary: 'the whole case: evidence, affected certificates, notices, deadlines, messages',
    usage: 'cpr show CASE [--json]',
    details: `The evidence is the full evidence merged from every message's evidence file, also when
the case item keeps only a sample (mass reports). --json prints one object with the fields id,
status, receivedAt, reporter, classification, acknowledgment, verdicts, evidence, affected,
subscribers, notices, deadlines, escalations, messages (and more).`,
  },
  notice: {
    summary: 'record a preliminary report that was sent outside the system',
    usage:
      'cpr notice CASE --to reporter|subscriber:ADDRESS --sent --note TEXT [--at TIME] [--channel TEXT]',
    details: `Records that the BR 4.9.5 preliminary report to the reporter, or to the Subscriber with
that address, went out by other means (a personal mailbox, a phone call). Guarded: the case must be
open and the obligation must exist and still be owed (pending, or bounced).
  --sent          required: the report was sent
  --note TEXT     required: what was sent and how, for the audit log
  --at TIME       when, ISO 8601 with a time zone (2026-11-27T10:15Z, 2026-11-27T11:15+01:00);
                  default now; never in the future
  --channel TEXT  how it was sent (default "outside the system")
The person recorded is you: your local user name, or your AWS caller ARN.`,
  },
  send: {
    summary: 'send a preliminary report through SES, threaded and tracked',
    usage: 'cpr send CASE --to reporter|subscriber:ADDRESS --file REPORT.txt [--json]',
    details: `Sends the text of REPORT.txt (UTF-8 plain text) as the BR 4.9.5 preliminary report with
subject "[CASE] Preliminary report on your certificate problem report", from the stack's sender
address with Reply-To the CPR address, threaded to the reporter's mail and marked so that
auto-responders stay quiet. The notice is recorded as sent; delivery, bounces and complaints are
then tracked through the SES configuration set. Prints the SES message id. Sent at most once:
running it again says it was already sent and mails nothing. It counts against the stack's
per-recipient mail limits; past them it refuses: send the report another way and record it with
cpr notice --sent.`,
  },
  close: {
    summary: 'close a case (ends its escalations)',
    usage: 'cpr close CASE --reason TEXT',
    details: `The reason is required and kept for the timeline and the audit log. Obligations still
open are named in the output and in the audit event.`,
  },
  replay: {
    summary: 're-run intake on a stored message',
    usage: 'cpr replay MESSAGE_ID [--json]',
    details: `Invokes the intake function with {"replay": MESSAGE_ID}: the raw message stored in the
inbound bucket is processed again (after a failure, or a parser fix). A message seen before keeps
its receipt time and verdicts. Prints the resulting case.`,
  },
  inventory: {
    summary: 'load or query the certificate inventory',
    usage:
      'cpr inventory import [--sync] FILE.csv [--json]\n       cpr inventory export-ddb-json FILE.csv OUT/ [--json]\n       cpr inventory lookup SHA256|SERIAL [--json]',
    details: `import  streams the CSV into the inventory table. Header: sha256,serial,spki_sha256,
        subscriber,email, optionally issuer (RFC 4514 DN), not_before, not_after, revoked_at,
        revocation_reason, pem (then sha256, serial, spki_sha256 and issuer are derived from
        the certificate, and a row that contradicts it is rejected). Other columns are ignored.
        Idempotent: importing the same file again changes nothing; a column the file lacks
        keeps what is stored (a delta file of changed rows works). Rows that are not valid are
        reported with their line number and skipped; the rest is loaded and the command exits 1
        so that scripts notice. Progress goes to stderr.
        --sync: the file is a full export; records absent from it are marked gone (kept, still
        matched). Refused when rows were rejected.
export-ddb-json  reads and validates the CSV as import does and writes the same items as
        gzip DynamoDB JSON to OUT/, for DynamoDB's import from S3 into a new table (first
        load of millions; docs/deploy.md). Reads the file twice; needs no AWS access.
        Rejected lines as for import, a second certificate of one issuer and serial included.
lookup  finds certificates by SHA-256 fingerprint or serial number (hex, with or without colons,
        or decimal). A 64-hex-digit value is looked up as certificate SHA-256, as SPKI SHA-256
        (every certificate with that key) and as serial; a decimal number also as a decimal
        serial. Each match says what it matched. Exits 1 when nothing matches.`,
  },
  timeline: {
    summary: 'the case timeline in UTC to the minute, as Markdown for a CCADB incident report',
    usage: 'cpr timeline CASE [--json] [--certificates-csv]',
    details: `Received messages, case opened, acknowledgment, team notified, every preliminary report
sent/delivered/bounced, the triage, each revocation recorded and verified, escalations, the BR
deadlines (met, missed or open) and closure, in time order.
--certificates-csv  the CCADB incident report's certificates appendix instead, columns:
  precertificate SHA-256, certificate SHA-256, subject, issuer, notBefore, notAfter, serial,
  dNSNames, is revoked, revocation date, revocation reason`,
  },
  triage: {
    summary: 'confirm what a case is: the revocation reason, notACpr, or needsInfo',
    usage: 'cpr triage CASE... --reason REASON --note TEXT [--sent-elsewhere] [--json]',
    details: `REASON: keyCompromise, misissuance, superseded, cessationOfOperation, affiliationChanged,
privilegeWithdrawn (each with its RFC 5280 CRLReason; the revocation deadline follows from it,
BR 4.9.1.1), notACpr (ends the case's obligations; several cases at once, to dismiss bounces and
newsletters in one command; a later triage undoes it), or needsInfo (mails the reporter a request
for what is missing, or with --sent-elsewhere records one sent by other means; the BR 4.9.5
clock keeps running). A request that cannot be mailed (no reporter address, one SES cannot send
to, past the per-recipient mail limits) is refused and nothing is recorded. Records who, when,
the note and what the case was before.`,
  },
  revoke: {
    summary: 'record that the CA revoked certificates of a case',
    usage:
      'cpr revoke CASE (--cert SHA256... | --serial HEX... | --all) --reason-code NAME --note TEXT [--at TIME] [--json]',
    details: `NAME is an RFC 5280 CRLReason (keyCompromise, superseded, ...). The obligation becomes
"recorded"; it is met only when verified from outside (OCSP revoked with the triaged reason and
the serial on a current CRL). A reason other than the triaged one is recorded, with a warning,
and will not verify. --at as in cpr notice.`,
  },
  verify: {
    summary: "check the case's certificates from outside now: OCSP and CRL",
    usage: 'cpr verify CASE [--json]',
    details: `Asks each issuer's OCSP responder and fetches its CRL as a relying party would (issuers from
the file in $CPR_ISSUERS; a certificate's own AIA and CDP URLs win) and prints the result per
certificate. --json prints the revocations as in cpr show --json.`,
  },
  blocklist: {
    summary: 'export the compromised-key blocklist (SPKI SHA-256)',
    usage: 'cpr blocklist export [--format csv|json]',
    details: `Every key proven compromised (a private key, or a CSR whose signature verifies), by the
SHA-256 of its SubjectPublicKeyInfo, with the case that proved it: for the issuance system to
reject (BR 6.1.1.3(4)). CSV columns: spki_sha256,case,blocked_at,proof.`,
  },
};

export function commandHelp(name: CommandName): string {
  const h = COMMAND_HELP[name];
  return `Usage: ${h.usage}

${h.summary[0]?.toUpperCase()}${h.summary.slice(1)}.

${h.details}

${WHERE}
  --json                  machine-readable output
  -h, --help              this help`;
}

export function mainHelp(): string {
  const width = Math.max(...COMMAND_NAMES.map((n) => n.length));
  return `cpr: the compliance team's tool for Certificate Problem Reports

Usage: cpr COMMAND [ARGS] [--json] [--stack NAME --region REGION]

Commands:
${COMMAND_NAMES.map((n) => `  ${n.padEnd(width)}  ${COMMAND_HELP[n].summary}`).join('\n')}

${WHERE}
  --json                  machine-readable output (one JSON value on standard output)

Exit codes: 0 done, 1 refused, not found or failed, 2 bad usage.
Run \`cpr COMMAND --help\` for a command's options.`;
}
