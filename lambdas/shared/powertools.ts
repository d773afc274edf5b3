/**
 * The Powertools setup every function shares (the shape of Powertools' `commons/powertools`): one
 * Logger, one Metrics and one Tracer per process, used by the handler factory (`handler.ts`) and
 * by the SDK clients (`adapters/aws-clients.ts`, which the Tracer captures).
 *
 * The service is the function's POWERTOOLS_SERVICE_NAME, which CprFunction sets to one of
 * METRIC_SERVICES, so logs, traces and the metrics' `service` dimension (the one the alarms and
 * the dashboard filter on) name the function the same way. The namespace is set here, not read
 * from the environment, for the same reason.
 *
 * Tracing is on only in Lambda: Powertools enables the Tracer when AWS_EXECUTION_ENV is set and
 * POWERTOOLS_TRACE_ENABLED is not "false". Tests and `npm start` run without an X-Ray daemon.
 * Outside Lambda the Tracer (and with it the X-Ray SDK) is not even loaded: the SDK installs
 * async hooks at load that tax every promise of the process, which made `cpr inventory import`
 * about 12 % and a mass look-up about 25 % slower for nothing (docs/benchmarks.md).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { METRICS_NAMESPACE } from './metric-names.ts';

export const logger = new Logger();
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE });
/** Whether this process may trace: in Lambda, unless POWERTOOLS_TRACE_ENABLED is "false". */
function tracingWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.AWS_EXECUTION_ENV !== undefined && env.POWERTOOLS_TRACE_ENABLED !== 'false';
}

/** The one Tracer, or null where tracing is off (see above). */
export const tracer: Tracer | null = tracingWanted()
  ? new (await import('@aws-lambda-powertools/tracer')).Tracer()
  : null;
