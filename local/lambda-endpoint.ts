/**
 * A loopback HTTP endpoint that speaks the Lambda Invoke API (REST, `POST
 * /2015-03-31/functions/{name}/invocations`) for in-process handlers, so the real
 * `@aws-sdk/client-lambda` client is used locally and in tests exactly as against AWS
 * (`cpr ingest`, `cpr replay`). Only Invoke is emulated; it follows the service's contract:
 * - `X-Amz-Invocation-Type: RequestResponse` (the default) answers 200 with the handler's JSON;
 * - `Event` answers 202 at once and runs the handler in the background;
 * - `DryRun` answers 204 when the function exists;
 * - a handler that throws answers 200 with `X-Amz-Function-Error: Unhandled` and the error as
 *   `{errorType, errorMessage, trace}`, like Lambda;
 * - an unknown function answers 404 `ResourceNotFoundException`.
 */
import { createServer, type ServerResponse } from 'node:http';
import { listenLocal, RequestTooLargeError, readBody } from './http-service.ts';

/** An in-process Lambda handler: the event in, the JSON-serialisable result out. */
export type LocalHandler = (event: unknown) => Promise<unknown>;

/** Lambda's own limit for a synchronous request payload (6 MB). */
export const MAX_INVOKE_REQUEST_BYTES = 6 * 1024 * 1024;

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export interface LambdaEndpointOptions {
  readonly port?: number;
  /** Function name to handler. More can be added later with `register`. */
  readonly functions?: Readonly<Record<string, LocalHandler>>;
  /** Told about errors of `Event` invocations, which have no caller to answer. */
  readonly onAsyncError?: (functionName: string, error: unknown) => void;
}

export interface LambdaEndpoint {
  readonly endpoint: string;
  register(functionName: string, handler: LocalHandler): void;
  /** Every invocation received, in order (for tests). */
  readonly invocations: readonly { readonly functionName: string; readonly type: string }[];
  stop(): Promise<void>;
}

/**
 * The function name from what the client sent: a name, a full or partial ARN
 * (`arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`, `ACCOUNT:function:NAME`), or
 * `NAME:QUALIFIER`. Local functions have one version, so the qualifier is ignored.
 */
export function functionNameOf(raw: string): string {
  const id = decodeURIComponent(raw);
  const parts = id.split(':');
  const at = parts.indexOf('function');
  if (at >= 0 && parts[at + 1]) return parts[at + 1]!;
  return parts[0] ?? id;
}

/** The error payload Lambda returns for an unhandled error (Node.js runtime shape). */
function errorPayload(error: unknown): Record<string, unknown> {
  const e = error instanceof Error ? error : new Error(String(error));
  return {
    errorType: e.name,
    errorMessage: e.message,
    trace: (e.stack ?? '').split('\n'),
  };
}

export async function startLambdaEndpoint(
  options: LambdaEndpointOptions = {},
): Promise<LambdaEndpoint> {
  const handlers = new Map<string, LocalHandler>(Object.entries(options.functions ?? {}));
  const invocations: { functionName: string; type: string }[] = [];
  const serviceError = (res: ServerResponse, status: number, type: string, message: string) => {
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-amzn-errortype': type,
      'x-amzn-requestid': crypto.randomUUID(),
    });
    res.end(JSON.stringify({ Type: 'User', message }));
  };
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const match = INVOKE_PATH.exec(url.pathname);
      if (req.method !== 'POST' || !match) {
        return serviceError(
          res,
          404,
          'UnknownOperationException',
          `${req.method} ${url.pathname} is not emulated locally`,
        );
      }
      const functionName = functionNameOf(match[1]!);
      const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
      const body = await readBody(req, MAX_INVOKE_REQUEST_BYTES);
      const handler = handlers.get(functionName);
      if (!handler) {
        return serviceError(
          res,
          404,
          'ResourceNotFoundException',
          `Function not found: ${functionName}`,
        );
      }
      if (!['RequestResponse', 'Event', 'DryRun'].includes(type)) {
        return serviceError(
          res,
          400,
          'InvalidParameterValueException',
          `invalid invocation type ${type}`,
        );
      }
      invocations.push({ functionName, type });
      let event: unknown;
      try {
        event = body.length === 0 ? {} : JSON.parse(body.toString('utf-8'));
      } catch {
        return serviceError(
          res,
          400,
          'InvalidRequestContentException',
          'Could not parse request body into json',
        );
      }
      const headers = {
        'x-amzn-requestid': crypto.randomUUID(),
        'x-amz-executed-version': '$LATEST',
      };
      if (type === 'DryRun') {
        res.writeHead(204, headers);
        return res.end();
      }
      if (type === 'Event') {
        res.writeHead(202, headers);
        res.end();
        handler(event).catch((error: unknown) => options.onAsyncError?.(functionName, error));
        return;
      }
      try {
        const result = await handler(event);
        res.writeHead(200, { ...headers, 'content-type': 'application/json' });
        res.end(JSON.stringify(result ?? null));
      } catch (error) {
        res.writeHead(200, {
          ...headers,
          'content-type': 'application/json',
          'x-amz-function-error': 'Unhandled',
        });
        res.end(JSON.stringify(errorPayload(error)));
      }
    } catch (error) {
      if (res.headersSent) return res.end();
      if (error instanceof RequestTooLargeError) {
        return serviceError(
          res,
          413,
          'RequestTooLargeException',
          'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
        );
      }
      return serviceError(res, 500, 'ServiceException', (error as Error).message);
    }
  });
  const { endpoint, stop } = await listenLocal(server, options.port);
  return {
    endpoint,
    invocations,
    register(functionName, handler) {
      handlers.set(functionName, handler);
    },
    stop,
  };
}
