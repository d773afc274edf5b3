/**
 * CDK app entry (`cdk.json`: `npx tsx infra/bin/app.ts`). The only place that reads the CDK
 * context: configuration comes from the `cpr` object in cdk.json, or from a JSON file given with
 * `-c cprConfigFile=path.json` (which wins).
 */
import { App } from 'aws-cdk-lib';
import { composeApp } from '../compose.ts';
import {
  CONFIG_CONTEXT_KEY,
  CONFIG_FILE_CONTEXT_KEY,
  ConfigError,
  parseConfig,
  rawConfigFromContext,
} from '../config.ts';

const app = new App();
try {
  const config = parseConfig(
    rawConfigFromContext(
      app.node.tryGetContext(CONFIG_CONTEXT_KEY),
      app.node.tryGetContext(CONFIG_FILE_CONTEXT_KEY),
    ),
  );
  composeApp(app, config);
  app.synth();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // A configuration mistake is the operator's, not a bug: the message, not a stack trace.
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}
