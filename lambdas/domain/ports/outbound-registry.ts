/** Which notice an outbound SES message carried, so that its delivery events find the notice. */

export interface OutboundRef {
  readonly caseId: string;
  readonly noticeId: string;
}

export interface OutboundRegistry {
  register(sesMessageId: string, ref: OutboundRef): Promise<void>;
  find(sesMessageId: string): Promise<OutboundRef | null>;
}
