/**
 * HTTP as a polite relying party: bounded time and size per response, a per-host rate limit and
 * bounded concurrency. Responders are third parties we must not hammer; a mass revocation of
 * thousands of certificates goes through the same limiter.
 */

/** An OCSP responder or CRL server that has not answered in this time is down for this round. */
export const HTTP_TIMEOUT_MS = 10_000;
/** OCSP responses are a few KB; anything far larger is not an OCSP response. */
export const MAX_OCSP_RESPONSE_BYTES = 64 * 1024;
/** Large CAs publish CRLs of tens of MB; past this we report an error rather than exhaust memory. */
export const MAX_CRL_BYTES = 64 * 1024 * 1024;
/** Requests in flight at once, over all hosts: bounds sockets and memory of one round. */
export const MAX_CONCURRENT_REQUESTS = 8;
/** Requests per second to one host, so a mass revocation does not flood a responder. */
export const MAX_REQUESTS_PER_HOST_PER_SECOND = 20;

export class HttpFetchError extends Error {
  override readonly name = 'HttpFetchError';
}

export interface FetchedBytes {
  readonly status: number;
  readonly bytes: Uint8Array;
  /** Seconds from Cache-Control max-age, when the server stated one. */
  readonly maxAgeSeconds: number | null;
}

export interface HttpRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly body?: Uint8Array;
  readonly contentType?: string;
  readonly accept: string;
  readonly maxBytes: number;
}

export interface HttpGetter {
  fetch(request: HttpRequest): Promise<FetchedBytes>;
}

function maxAgeOf(header: string | null): number | null {
  const m = header ? /(?:^|,)\s*max-age=(\d+)/i.exec(header) : null;
  return m ? Number(m[1]) : null;
}

/** Reads a body up to `maxBytes`, cancelling the stream past it. */
async function readBounded(res: Response, maxBytes: number, url: string): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw new HttpFetchError(`${url}: response of ${declared} bytes exceeds ${maxBytes}`);
  }
  if (!res.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new HttpFetchError(`${url}: response exceeds ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/** A counting semaphore. */
class Limiter {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  constructor(private readonly max: number) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((r) => this.queue.push(r));
    this.active += 1;
    try {
      return await task();
    } finally {
      this.active -= 1;
      this.queue.shift()?.();
    }
  }
}

export interface PoliteHttpOptions {
  readonly timeoutMs?: number;
  readonly maxConcurrent?: number;
  readonly perHostPerSecond?: number;
  /** Real time, for the rate limit (not the case clock, which a test may move). */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly monotonicMs?: () => number;
}

/** fetch() with the limits above. Only http: and https: URLs; no redirects to other schemes. */
export class PoliteHttp implements HttpGetter {
  private readonly limiter: Limiter;
  private readonly nextSlot = new Map<string, number>();
  private readonly timeoutMs: number;
  private readonly intervalMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly monotonicMs: () => number;
  /** Requests sent per host, for tests and figures. */
  readonly requestsPerHost = new Map<string, number>();

  constructor(options: PoliteHttpOptions = {}) {
    this.limiter = new Limiter(options.maxConcurrent ?? MAX_CONCURRENT_REQUESTS);
    this.timeoutMs = options.timeoutMs ?? HTTP_TIMEOUT_MS;
    this.intervalMs = 1000 / (options.perHostPerSecond ?? MAX_REQUESTS_PER_HOST_PER_SECOND);
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.monotonicMs = options.monotonicMs ?? (() => performance.now());
  }

  /** Waits for the host's next free slot (a per-host minimum interval between requests). */
  private async slot(host: string): Promise<void> {
    const now = this.monotonicMs();
    const at = Math.max(now, this.nextSlot.get(host) ?? 0);
    this.nextSlot.set(host, at + this.intervalMs);
    if (at > now) await this.sleep(at - now);
  }

  fetch(request: HttpRequest): Promise<FetchedBytes> {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return Promise.reject(new HttpFetchError(`not a URL: ${request.url}`));
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return Promise.reject(new HttpFetchError(`${request.url}: only http and https are fetched`));
    }
    return this.limiter.run(async () => {
      await this.slot(url.host);
      this.requestsPerHost.set(url.host, (this.requestsPerHost.get(url.host) ?? 0) + 1);
      let res: Response;
      try {
        res = await fetch(url, {
          method: request.method,
          body: request.body,
          headers: {
            accept: request.accept,
            ...(request.contentType ? { 'content-type': request.contentType } : {}),
          },
          redirect: 'manual',
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        throw new HttpFetchError(`${request.url}: ${(error as Error).message}`, { cause: error });
      }
      if (res.status !== 200) {
        await res.body?.cancel();
        throw new HttpFetchError(`${request.url}: HTTP ${res.status}`);
      }
      try {
        const bytes = await readBounded(res, request.maxBytes, request.url);
        return {
          status: res.status,
          bytes,
          maxAgeSeconds: maxAgeOf(res.headers.get('cache-control')),
        };
      } catch (error) {
        if (error instanceof HttpFetchError) throw error;
        throw new HttpFetchError(`${request.url}: ${(error as Error).message}`, { cause: error });
      }
    });
  }
}
