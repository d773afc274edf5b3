/**
 * The DynamoDB stand-in alone, in its own process (so the measured import process holds only
 * the import). Prints one JSON line with the endpoint, then serves until killed.
 */
import { startDynamo } from '../../local/stand-ins.ts';

const dynamo = await startDynamo();
process.stdout.write(`${JSON.stringify({ dynamo: dynamo.endpoint })}\n`);
const stop = async () => {
  await dynamo.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
