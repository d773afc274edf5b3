/** Invoking the intake function (Lambda Invoke, RequestResponse) and reading its answer. */
import { InvokeCommand } from '@aws-sdk/client-lambda';
import type { IntakeResult } from '../../lambdas/domain/intake/process-message.ts';
import { CliError } from '../errors.ts';
import type { Services } from '../services.ts';

/** The intake function failed; the message is its `errorType: errorMessage`. */
export class IntakeFailedError extends CliError {
  override readonly name = 'IntakeFailedError';
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

/** Runs the intake function synchronously and returns its results (one per SES record). */
export async function invokeIntake(services: Services, event: unknown): Promise<IntakeResult[]> {
  const lambda = await services.lambda();
  const out = await lambda.send(
    new InvokeCommand({
      FunctionName: services.deployment.intakeFunction,
      InvocationType: 'RequestResponse',
      Payload: new TextEncoder().encode(JSON.stringify(event)),
    }),
  );
  const text = out.Payload ? new TextDecoder().decode(out.Payload) : 'null';
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    throw new CliError(
      `the intake function answered something that is not JSON: ${text.slice(0, 200)}`,
    );
  }
  if (out.FunctionError) {
    const e = (payload ?? {}) as { errorType?: string; errorMessage?: string };
    const type = e.errorType ?? out.FunctionError;
    throw new IntakeFailedError(type, `intake failed: ${type}: ${e.errorMessage ?? 'no message'}`);
  }
  const results = Array.isArray(payload) ? payload : [payload];
  if (!results.every((r) => r && typeof (r as IntakeResult).caseId === 'string')) {
    throw new CliError(`the intake function answered no case: ${text.slice(0, 200)}`);
  }
  return results as IntakeResult[];
}
