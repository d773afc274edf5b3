/**
 * A loopback HTTP endpoint that speaks the Step Functions API (AWS JSON 1.0) for the calls this
 * project makes, so the real `@aws-sdk/client-sfn` client is used locally and in tests. Execution
 * itself is delegated (the local stack runs the CDK-synthesized definition with
 * aws-local-stepfunctions). Start semantics follow the service: a name is unique per state
 * machine; the same name with the same input returns the existing execution, a different input
 * fails with ExecutionAlreadyExists.
 */
import { createServer, type Server } from 'node:http';
import { listenLocal, readBody } from './http-service.ts';

export interface LocalExecution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  readonly startDate: Date;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
}

export interface SfnEndpoint {
  readonly endpoint: string;
  readonly executions: ReadonlyMap<string, LocalExecution>;
  /** Every StartExecution call received, including refused and repeated ones. */
  readonly startCalls: readonly { readonly name: string; readonly input: string }[];
  stop(): Promise<void>;
}

/** Largest request body accepted: Step Functions' own input limit is 256 KB. */
export const MAX_SFN_REQUEST_BYTES = 262_144 + 4_096;

export async function startSfnEndpoint(
  options: {
    port?: number;
    onStart?: (execution: LocalExecution) => void;
    onStop?: (execution: LocalExecution) => void;
  } = {},
): Promise<SfnEndpoint> {
  const executions = new Map<string, LocalExecution>();
  const startCalls: { name: string; input: string }[] = [];
  const server: Server = createServer(async (req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(body));
    };
    const fail = (type: string, message: string) => reply(400, { __type: type, message });
    try {
      const target = String(req.headers['x-amz-target'] ?? '').replace('AWSStepFunctions.', '');
      const body = JSON.parse(
        (await readBody(req, MAX_SFN_REQUEST_BYTES)).toString('utf-8') || '{}',
      ) as Record<string, string>;
      if (target === 'StartExecution') {
        const stateMachineArn = body.stateMachineArn ?? '';
        const name = body.name ?? crypto.randomUUID();
        const input = body.input ?? '{}';
        startCalls.push({ name, input });
        const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
        const existing = executions.get(executionArn);
        if (existing) {
          if (existing.input === input && existing.status === 'RUNNING') {
            return reply(200, { executionArn, startDate: existing.startDate.getTime() / 1000 });
          }
          return fail('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
        }
        const execution: LocalExecution = {
          executionArn,
          stateMachineArn,
          name,
          input,
          startDate: new Date(),
          status: 'RUNNING',
        };
        executions.set(executionArn, execution);
        options.onStart?.(execution);
        return reply(200, { executionArn, startDate: execution.startDate.getTime() / 1000 });
      }
      if (target === 'DescribeExecution') {
        const execution = executions.get(body.executionArn ?? '');
        if (!execution) return fail('ExecutionDoesNotExist', 'Execution Does Not Exist');
        return reply(200, {
          executionArn: execution.executionArn,
          stateMachineArn: execution.stateMachineArn,
          name: execution.name,
          status: execution.status,
          startDate: execution.startDate.getTime() / 1000,
          input: execution.input,
        });
      }
      if (target === 'StopExecution') {
        const execution = executions.get(body.executionArn ?? '');
        if (!execution) return fail('ExecutionDoesNotExist', 'Execution Does Not Exist');
        if (execution.status === 'RUNNING') {
          execution.status = 'ABORTED';
          options.onStop?.(execution);
        }
        return reply(200, { stopDate: Date.now() / 1000 });
      }
      return fail('UnknownOperationException', `operation ${target} is not emulated locally`);
    } catch (error) {
      return fail('InvalidRequestException', (error as Error).message);
    }
  });
  return { ...(await listenLocal(server, options.port)), executions, startCalls };
}
