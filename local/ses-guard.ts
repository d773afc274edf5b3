/**
 * A guard in front of the SES v2 stand-in (aws-ses-v2-local) that refuses what SES refuses, so
 * that tests and `npm start` meet the failures production would. The stand-in itself accepts
 * almost anything; SES does not. Rules, each from SES's documentation:
 *
 * - Addresses (SES v2 API Reference, `Destination`; SES v1 `Destination`): no SMTPUTF8, so an
 *   address must be 7-bit ASCII; a non-ASCII domain only as Punycode, the local part ASCII.
 *   Address literals (`user@[192.0.2.1]`) are refused too: SES documents addresses by their
 *   domain part only (an assumption of this guard, kept on the safe side).
 * - Headers (SES v2 API Reference, `MessageHeader`): name 1 to 126 printable ASCII characters
 *   without a colon (`^[!-9;-@A-~]+$`), value 1 to 870 printable ASCII characters (`[ -~]*`).
 * - Header fields that SES allows only once ("Amazon SES header fields" in the developer guide).
 *
 * Refusals are answered as SES answers them (HTTP 400, `x-amzn-ErrorType`), so the SDK raises
 * the same exception class. Account-level refusals (sandbox, quota, throttling, a sending pause)
 * cannot be seen in a request: a test asks for them with `POST /_guard/refuse-next`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isSesHeader } from '../lambdas/domain/notices/outbound.ts';
import { listenLocal } from './http-service.ts';

/** SendEmail of SES v2. */
const SEND_EMAIL_PATH = '/v2/email/outbound-emails';
/** The guard's own control endpoints, next to the stand-in's `/store`. */
export const GUARD_PATHS = { refuseNext: '/_guard/refuse-next', refusals: '/_guard/refusals' };

/** Fields SES accepts at most once in a header section ("Amazon SES header fields"). */
const SINGLE_FIELDS = new Set(
  // biome-ignore format: a long list of names, packed to read as one block
  [
    'Auto-Submitted', 'Content-Type', 'Date', 'DKIM-Signature', 'From', 'In-Reply-To', 'List-Id',
    'List-Unsubscribe', 'Message-ID', 'MIME-Version', 'Precedence', 'References', 'Reply-To',
    'Return-Path', 'Sender', 'Subject',
  ].map((f) => f.toLowerCase()),
);

export interface SesRefusal {
  /** SES's error name, e.g. `BadRequestException`, `MessageRejected`, `SendingPausedException`. */
  readonly code: string;
  readonly message: string;
  readonly status: number;
}

interface SendEmailRequest {
  readonly FromEmailAddress?: string;
  readonly Destination?: {
    readonly ToAddresses?: readonly string[];
    readonly CcAddresses?: readonly string[];
    readonly BccAddresses?: readonly string[];
  };
  readonly ReplyToAddresses?: readonly string[];
  readonly Content?: {
    readonly Simple?: { readonly Headers?: readonly { Name?: string; Value?: string }[] };
  };
}

/** The addr-spec of `Name <addr>` or a bare address. */
function addrSpec(value: string): string {
  const angle = /<([^<>]*)>\s*$/.exec(value);
  return (angle ? angle[1]! : value).trim();
}

function addressRefusal(value: string): string | null {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the test is for anything outside ASCII
  if (/[^\x00-\x7f]/.test(value))
    return `Illegal address: ${value} (not 7-bit ASCII; SES does not support SMTPUTF8)`;
  const address = addrSpec(value);
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return `Illegal address: ${value}`;
  if (address.slice(at + 1).startsWith('[')) return `Illegal address: ${value} (address literal)`;
  return null;
}

/** Why SES would refuse this SendEmail request, or null. Pure: the rules above. */
export function sesRefusalOf(request: SendEmailRequest): SesRefusal | null {
  const bad = (message: string): SesRefusal => ({
    code: 'BadRequestException',
    message,
    status: 400,
  });
  const addresses = [
    request.FromEmailAddress,
    ...(request.Destination?.ToAddresses ?? []),
    ...(request.Destination?.CcAddresses ?? []),
    ...(request.Destination?.BccAddresses ?? []),
    ...(request.ReplyToAddresses ?? []),
  ].filter((a): a is string => typeof a === 'string');
  for (const a of addresses) {
    const why = addressRefusal(a);
    if (why) return bad(why);
  }
  const seen = new Set<string>();
  for (const h of request.Content?.Simple?.Headers ?? []) {
    const name = h.Name ?? '';
    const value = h.Value ?? '';
    if (!isSesHeader(name, value)) {
      return bad(
        `Invalid header ${JSON.stringify(name.slice(0, 40))}: a name of 1 to 126 printable ASCII characters without ":" and a value of 1 to 870 printable ASCII characters (got ${value.length})`,
      );
    }
    const key = name.toLowerCase();
    if (SINGLE_FIELDS.has(key) && seen.has(key)) return bad(`Duplicate header ${name}`);
    seen.add(key);
  }
  return null;
}

export interface RecordedRefusal extends SesRefusal {
  readonly at: string;
  readonly to: readonly string[];
}

export interface SesGuard {
  readonly endpoint: string;
  stop(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function refuse(res: ServerResponse, r: SesRefusal): void {
  res.writeHead(r.status, {
    'content-type': 'application/json',
    'x-amzn-errortype': r.code,
    'x-amzn-requestid': crypto.randomUUID(),
  });
  res.end(JSON.stringify({ message: r.message }));
}

/** Starts the guard on `port` (0: any) in front of the stand-in at `upstream`. */
export async function startSesGuard(options: {
  upstream: string;
  port?: number;
}): Promise<SesGuard> {
  /** Refusals asked for, each for one send (to `to` only, when set: test files share the guard). */
  const injected: (SesRefusal & { readonly to: string | null })[] = [];
  const refusals: RecordedRefusal[] = [];

  const server: Server = createServer((req, res) => {
    void (async () => {
      const data = await body(req);
      const path = (req.url ?? '/').split('?')[0];
      if (path === GUARD_PATHS.refuseNext && req.method === 'POST') {
        const r = JSON.parse(data.toString('utf8') || '{}') as Partial<SesRefusal> & {
          count?: number;
          to?: string;
        };
        for (let i = 0; i < Math.min(r.count ?? 1, 1000); i += 1) {
          injected.push({
            code: r.code ?? 'MessageRejected',
            message: r.message ?? 'refused on request',
            status: r.status ?? 400,
            to: r.to?.toLowerCase() ?? null,
          });
        }
        res.writeHead(204).end();
        return;
      }
      if (path === GUARD_PATHS.refusals && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ refusals }));
        return;
      }
      if (path === SEND_EMAIL_PATH && req.method === 'POST') {
        let request: SendEmailRequest = {};
        try {
          request = JSON.parse(data.toString('utf8')) as SendEmailRequest;
        } catch {
          // The stand-in answers a malformed body itself.
        }
        const to = (request.Destination?.ToAddresses ?? []).map((a) => addrSpec(a).toLowerCase());
        const i = injected.findIndex((r) => r.to === null || to.includes(r.to));
        const asked = i >= 0 ? injected.splice(i, 1)[0] : undefined;
        const refusal: SesRefusal | null = asked
          ? { code: asked.code, message: asked.message, status: asked.status }
          : sesRefusalOf(request);
        if (refusal) {
          refusals.push({
            ...refusal,
            at: new Date().toISOString(),
            to: request.Destination?.ToAddresses ?? [],
          });
          refuse(res, refusal);
          return;
        }
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
      }
      const upstream = await fetch(`${options.upstream}${req.url ?? '/'}`, {
        method: req.method ?? 'GET',
        headers,
        ...(data.length > 0 && req.method !== 'GET' && req.method !== 'HEAD' ? { body: data } : {}),
        signal: AbortSignal.timeout(10_000),
      });
      const out = Buffer.from(await upstream.arrayBuffer());
      const back: Record<string, string> = {};
      upstream.headers.forEach((v, k) => {
        if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'content-encoding')
          back[k] = v;
      });
      res.writeHead(upstream.status, back);
      res.end(out);
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`SES guard: ${(error as Error).message}`);
    });
  });
  return listenLocal(server, options.port);
}
