/** The local Lambda Invoke endpoint, driven by the real @aws-sdk/client-lambda client. */
import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  functionNameOf,
  type LambdaEndpoint,
  startLambdaEndpoint,
} from '../../local/lambda-endpoint.ts';

let endpoint: LambdaEndpoint;
let client: LambdaClient;
const asyncEvents: unknown[] = [];
const asyncErrors: string[] = [];

beforeAll(async () => {
  endpoint = await startLambdaEndpoint({
    functions: {
      echo: async (event) => ({ got: event }),
      fails: async () => {
        throw new RangeError('no such message');
      },
      nothing: async () => undefined,
      record: async (event) => {
        asyncEvents.push(event);
        if ((event as { fail?: boolean }).fail) throw new Error('async failure');
      },
    },
    onAsyncError: (name, error) => asyncErrors.push(`${name}: ${(error as Error).message}`),
  });
  client = new LambdaClient({
    endpoint: endpoint.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
  });
});
afterAll(async () => {
  client?.destroy();
  await endpoint?.stop();
});

const payload = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const decode = (bytes: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(bytes));

describe('local Lambda Invoke endpoint', () => {
  test('RequestResponse returns the handler result as the payload', async () => {
    const out = await client.send(
      new InvokeCommand({ FunctionName: 'echo', Payload: payload({ replay: 'abc' }) }),
    );
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(decode(out.Payload)).toEqual({ got: { replay: 'abc' } });
  });

  test('finds the function by ARN, with a qualifier, and returns null for no result', async () => {
    const arn = 'arn:aws:lambda:us-east-1:123456789012:function:nothing:$LATEST';
    const out = await client.send(new InvokeCommand({ FunctionName: arn, Payload: payload({}) }));
    expect(decode(out.Payload)).toBeNull();
    expect(functionNameOf('123456789012:function:echo')).toBe('echo');
    expect(functionNameOf('echo:prod')).toBe('echo');
  });

  test('a handler error is a 200 with X-Amz-Function-Error and the error payload, like Lambda', async () => {
    const out = await client.send(
      new InvokeCommand({ FunctionName: 'fails', Payload: payload({}) }),
    );
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    expect(decode(out.Payload)).toMatchObject({
      errorType: 'RangeError',
      errorMessage: 'no such message',
    });
  });

  test('an unknown function is ResourceNotFoundException', async () => {
    await expect(
      client.send(new InvokeCommand({ FunctionName: 'missing', Payload: payload({}) })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  test('Event invocations answer 202 at once and run in the background; their errors are reported', async () => {
    const ok = await client.send(
      new InvokeCommand({
        FunctionName: 'record',
        InvocationType: 'Event',
        Payload: payload({ n: 1 }),
      }),
    );
    const bad = await client.send(
      new InvokeCommand({
        FunctionName: 'record',
        InvocationType: 'Event',
        Payload: payload({ fail: true }),
      }),
    );
    expect([ok.StatusCode, bad.StatusCode]).toEqual([202, 202]);
    await expect.poll(() => asyncErrors, { timeout: 2_000 }).toEqual(['record: async failure']);
    expect(asyncEvents).toContainEqual({ n: 1 });
    const dry = await client.send(
      new InvokeCommand({ FunctionName: 'echo', InvocationType: 'DryRun' }),
    );
    expect(dry.StatusCode).toBe(204);
  });
});
