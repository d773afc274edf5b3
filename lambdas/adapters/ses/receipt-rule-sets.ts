import { DescribeActiveReceiptRuleSetCommand, type SESClient } from '@aws-sdk/client-ses';
import type { ReceiptRuleSets } from '../../domain/ports/canary.ts';

/** SES v1 (receiving has no v2 API): which receipt rule set is active. */
export class SesReceiptRuleSets implements ReceiptRuleSets {
  constructor(private readonly ses: SESClient) {}

  async activeRuleSetName(): Promise<string | null> {
    const out = await this.ses.send(new DescribeActiveReceiptRuleSetCommand({}));
    return out.Metadata?.Name ?? null;
  }
}
