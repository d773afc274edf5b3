/**
 * `npm start`: the whole pipeline on this machine. Stops cleanly on Ctrl-C or SIGTERM; the data
 * directory keeps every case, so a restart resumes each open case's clock.
 */
import { readLocalConfig } from './config.ts';
import { startLocalStack } from './stack.ts';

const config = readLocalConfig();
const stack = await startLocalStack(config);
const scale =
  config.timeScale === 1
    ? 'real time'
    : `${config.timeScale}x (12 h pass in ${((12 * 3600) / config.timeScale).toFixed(1)} s)`;
console.log(
  [
    '',
    `cpr-intake local stack ready in ${process.uptime().toFixed(1)} s (since the process started)`,
    `  SMTP intake     smtp://${stack.smtpAddress}  for ${config.cprAddresses.join(', ')}`,
    `  outbox (SES)    ${stack.outboxUrl}`,
    `  SNS log         ${stack.snsLogFile}`,
    `  data directory  ${config.dataDir}`,
    `  clock           ${scale}; simulated now ${stack.clock.now().toISOString()}`,
    `  resumed clocks  ${stack.resumed.length}`,
    '',
    'Try: npm run demo        (sends sample reports over SMTP)',
    "     npx cpr list --open (the team's view)",
    'Ctrl-C stops.',
    '',
  ].join('\n'),
);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping...`);
  await stack.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
