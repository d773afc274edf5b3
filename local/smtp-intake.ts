/**
 * The local stand-in for SES receiving: an SMTP server on loopback that does what the receipt rule
 * does in AWS. It accepts mail only for the CPR addresses (others get 550), computes SPF, DKIM and
 * DMARC with mailauth under a short DNS timeout (offline it answers at once with neutral
 * verdicts), stores the raw message to the inbound bucket first, then hands an SES-shaped event
 * to the intake handler asynchronously, as the Lambda action's `Event` invocation does.
 */
import { promises as dns } from 'node:dns';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { authenticate } from 'mailauth';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { type SesVerdict, sesLikeMessageId, sesReceiptEvent, topHeaders } from './ses-event.ts';

/** SES accepts messages up to 40 MB including headers. */
export const MAX_MESSAGE_BYTES = 40 * 1024 * 1024;
/** Each DNS query of SPF/DKIM/DMARC gives up after this; offline, answers must come fast. */
export const DNS_TIMEOUT_MS = 400;
/** The whole authentication step is bounded too, whatever the number of lookups. */
export const AUTH_TIMEOUT_MS = 1_500;
/** Recipients per message, as SES allows. */
export const MAX_RECIPIENTS = 50;
/**
 * Concurrent SMTP connections. Each may hold a message of up to 40 MB while it is stored: 20 of
 * them bound that to under 1 GB, and a sender opening hundreds of connections gets 421 (and the
 * connection closed) instead of exhausting the process.
 */
export const MAX_CONNECTIONS = 20;

export interface SmtpIntakeOptions {
  readonly port: number;
  readonly host?: string;
  readonly cprAddresses: readonly string[];
  readonly s3: S3Client;
  readonly bucket: string;
  readonly prefix: string;
  /** Runs intake for the stored message; errors are reported, never thrown back to the sender. */
  readonly invoke: (event: ReturnType<typeof sesReceiptEvent>) => Promise<unknown>;
  readonly onError?: (error: unknown, messageId: string) => void;
  /** Called after the message is stored and intake was started. */
  readonly onAccepted?: (messageId: string, invocation: Promise<unknown>) => void;
  readonly now?: () => Date;
  /** @default MAX_MESSAGE_BYTES (tests use a small limit) */
  readonly maxMessageBytes?: number;
  /** @default MAX_CONNECTIONS */
  readonly maxConnections?: number;
}

const resolver = new dns.Resolver({ timeout: DNS_TIMEOUT_MS, tries: 1 });

/** A DNS resolver for mailauth that can never hang intake. */
async function boundedResolve(name: string, rrtype: string): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`DNS timeout for ${name}`), { code: 'ETIMEOUT' })),
      DNS_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([resolver.resolve(name, rrtype as 'TXT'), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

type Verdicts = {
  spf: SesVerdict;
  dkim: SesVerdict;
  dmarc: SesVerdict;
  dmarcPolicy?: 'none' | 'quarantine' | 'reject';
};

function verdictOf(result: string | undefined): SesVerdict {
  switch (result) {
    case 'pass':
      return 'PASS';
    case 'fail':
      return 'FAIL';
    case 'temperror':
    case 'temperr':
    case 'permerror':
      return 'PROCESSING_FAILED';
    default:
      return 'GRAY';
  }
}

/** SPF, DKIM and DMARC as SES reports them; any failure of the check itself is PROCESSING_FAILED. */
export async function authenticateMessage(
  raw: Buffer,
  session: { ip: string; helo: string; sender: string },
): Promise<Verdicts> {
  const gaveUp: Verdicts = {
    spf: 'PROCESSING_FAILED',
    dkim: 'PROCESSING_FAILED',
    dmarc: 'PROCESSING_FAILED',
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await Promise.race([
      authenticate(raw, {
        ip: session.ip,
        helo: session.helo,
        sender: session.sender,
        mta: 'cpr-intake.local',
        resolver: boundedResolve as never,
        disableArc: true,
        disableBimi: true,
      }),
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), AUTH_TIMEOUT_MS);
      }),
    ]);
    if (!result) return gaveUp;
    const dkimResults = result.dkim.results ?? [];
    const dkim = dkimResults.some((r) => r.status.result === 'pass')
      ? 'PASS'
      : dkimResults.length === 0
        ? 'GRAY'
        : verdictOf(dkimResults[0]?.status.result);
    const dmarc = result.dmarc ? verdictOf(result.dmarc.status.result) : 'GRAY';
    const policy = result.dmarc ? result.dmarc.policy : undefined;
    return {
      spf: result.spf ? verdictOf(result.spf.status.result) : 'GRAY',
      dkim,
      dmarc,
      ...(dmarc === 'FAIL' && (policy === 'reject' || policy === 'quarantine' || policy === 'none')
        ? { dmarcPolicy: policy }
        : {}),
    };
  } catch {
    return gaveUp;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The DATA of one message, or null when it went past the size limit. smtp-server sets
 * `sizeExceeded` on the stream as soon as the limit is passed; from then on every chunk is
 * dropped as it arrives and what was kept is let go. (SMTP can answer only after the client's
 * final dot, so the rest must still be read.) A DATA of any size then holds at most what one at
 * the limit does.
 */
function collectWithinLimit(stream: SMTPServerDataStream): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] | null = [];
    stream.on('data', (c: Buffer) => {
      if (stream.sizeExceeded) chunks = null;
      else chunks?.push(c);
    });
    stream.on('end', () => resolve(chunks && !stream.sizeExceeded ? Buffer.concat(chunks) : null));
    stream.on('error', reject);
  });
}

export async function startSmtpIntake(
  options: SmtpIntakeOptions,
): Promise<{ address: string; stop(): Promise<void> }> {
  const allowed = new Set(options.cprAddresses.map((a) => a.toLowerCase()));
  const now = options.now ?? (() => new Date());
  const maxBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  const server = new SMTPServer({
    name: 'cpr-intake.local',
    banner: 'cpr-intake local SMTP (stands in for SES receiving)',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    // Announced in EHLO (RFC 1870), so a client that honours SIZE sends nothing bigger; for one
    // that does not, the stream marks `sizeExceeded` and the reply is 552 whatever onData says.
    size: maxBytes,
    rejectOversized: true,
    // One more connection is answered 421 and closed.
    maxClients: options.maxConnections ?? MAX_CONNECTIONS,
    logger: false,
    onRcptTo(address, session, callback) {
      if (session.envelope.rcptTo.length >= MAX_RECIPIENTS) {
        return callback(Object.assign(new Error('Too many recipients'), { responseCode: 452 }));
      }
      if (!allowed.has(address.address.toLowerCase())) {
        return callback(
          Object.assign(new Error(`Mailbox unavailable: ${address.address} is not a CPR address`), {
            responseCode: 550,
          }),
        );
      }
      return callback();
    },
    onData(stream, session: SMTPServerSession, callback) {
      void (async () => {
        const raw = await collectWithinLimit(stream);
        if (!raw) {
          // SES refuses such a message too; nothing of it is stored.
          return callback(
            Object.assign(new Error(`Message exceeds the ${maxBytes}-byte limit`), {
              responseCode: 552,
            }),
          );
        }
        const receivedAt = now();
        const messageId = sesLikeMessageId();
        const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        // SES prepends Return-Path and Received before storing; intake reads them like any header.
        const stored = Buffer.concat([
          Buffer.from(
            `Return-Path: <${mailFrom}>\r\nReceived: from ${session.hostNameAppearsAs} (${session.remoteAddress}) by cpr-intake.local with SMTP id ${messageId}; ${receivedAt.toUTCString()}\r\n`,
          ),
          raw,
        ]);
        const verdicts = await authenticateMessage(raw, {
          ip: session.remoteAddress,
          helo: session.hostNameAppearsAs,
          sender: mailFrom,
        });
        try {
          // Store first: once the sender has our 250, the message must exist.
          await options.s3.send(
            new PutObjectCommand({
              Bucket: options.bucket,
              Key: `${options.prefix}${messageId}`,
              Body: stored,
            }),
          );
        } catch (error) {
          options.onError?.(error, messageId);
          return callback(
            Object.assign(new Error('Temporary failure storing the message, try again'), {
              responseCode: 451,
            }),
          );
        }
        const event = sesReceiptEvent({
          messageId,
          timestamp: receivedAt,
          source: mailFrom,
          destination: session.envelope.rcptTo.map((r) => r.address),
          headers: topHeaders(stored),
          verdicts: {
            spam: 'DISABLED',
            virus: 'DISABLED',
            spf: verdicts.spf,
            dkim: verdicts.dkim,
            dmarc: verdicts.dmarc,
          },
          ...(verdicts.dmarcPolicy ? { dmarcPolicy: verdicts.dmarcPolicy } : {}),
        });
        const invocation = options.invoke(event).catch((error: unknown) => {
          options.onError?.(error, messageId);
        });
        options.onAccepted?.(messageId, invocation);
        callback(null, `Ok: queued as ${messageId}`);
      })().catch((error: unknown) => callback(error as Error));
    },
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    address: `${host}:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
