/**
 * Runs the stand-ins in their own process, so the benchmark's measured process holds only the
 * handler. Prints one JSON line with the endpoints, then serves until killed.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSfnEndpoint } from '../../local/sfn-endpoint.ts';
import { startDynamo, startS3 } from '../../local/stand-ins.ts';

const dynamo = await startDynamo();
const s3 = await startS3({ directory: await mkdtemp(join(tmpdir(), 'cpr-bench-s3-')) });
const sfn = await startSfnEndpoint();
process.stdout.write(
  `${JSON.stringify({ dynamo: dynamo.endpoint, s3: s3.endpoint, sfn: sfn.endpoint })}\n`,
);
const stop = async () => {
  await Promise.all([dynamo.stop(), s3.stop(), sfn.stop()]);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
