/** Re-running intake for a message already in the inbound store. */

import type { MessageEnvelope } from '../ports/message-ledger.ts';
import type { IntakeDeps, IntakeSettings } from './intake-deps.ts';
import { type IntakeResult, type ProcessOptions, processMessage } from './process-message.ts';

export const UNKNOWN_VERDICTS = {
  spam: 'NONE',
  virus: 'NONE',
  spf: 'NONE',
  dkim: 'NONE',
  dmarc: 'NONE',
  dmarcPolicy: null,
} as const;

/**
 * Re-runs intake for a stored SES message. A message seen before keeps its envelope (receipt time
 * and verdicts from SES); one that never reached intake (a lost invocation) is taken from the
 * store, with the store's write time as receipt time and unknown verdicts.
 * @throws RawMailNotFoundError when the message is in neither place
 */
export async function replayMessage(
  sesMessageId: string,
  rawKey: string,
  deps: IntakeDeps,
  settings: IntakeSettings,
  options: Omit<ProcessOptions, 'replay'> = {},
): Promise<IntakeResult> {
  const record = await deps.messages.get(sesMessageId);
  let envelope: MessageEnvelope;
  if (record) {
    envelope = record.envelope;
  } else {
    const stored = await deps.rawMail.get(rawKey);
    envelope = {
      sesMessageId,
      receivedAt: stored.storedAt.toISOString(),
      rawKey,
      verdicts: UNKNOWN_VERDICTS,
      commonHeaders: { from: [], subject: null, messageId: null },
    };
  }
  return processMessage(envelope, deps, settings, { ...options, replay: true });
}
