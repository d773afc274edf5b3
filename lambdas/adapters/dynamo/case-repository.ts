import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Heartbeat } from '../../domain/canary/token.ts';
import { nextDeadline } from '../../domain/case/build.ts';
import type { AuditEvent, CprCase } from '../../domain/case/types.ts';
import { upgradeCase } from '../../domain/case/upgrade.ts';
import {
  CaseNotFoundError,
  type CaseRepository,
  ConcurrentUpdateError,
  type MessageEnvelope,
  type MessageIdOwner,
  type MessageRecord,
  type MessageRole,
} from '../../domain/intake/ports.ts';
import type { OutboundRef } from '../../domain/notices/ports.ts';
import { keys, OPEN_INDEX_PARTITION } from './keys.ts';

/** Optimistic-lock retries before giving up (the async Lambda retry then takes over). */
export const MAX_UPDATE_ATTEMPTS = 8;

/** DynamoDB's item limit is 400 KB; refuse well before it with a named error. */
export const MAX_CASE_ITEM_BYTES = 350_000;

export class CaseItemTooLargeError extends Error {
  override readonly name = 'CaseItemTooLargeError';
}

const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'itemType'] as const;

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as { name?: string }).name === 'ConditionalCheckFailedException'
  );
}

function toCase(item: Record<string, unknown>): CprCase {
  const copy: Record<string, unknown> = { ...item };
  for (const k of KEY_ATTRIBUTES) delete copy[k];
  return upgradeCase(copy as unknown as CprCase);
}

function caseItem(c: CprCase): Record<string, unknown> {
  const due = nextDeadline(c);
  const item: Record<string, unknown> = { ...keys.case(c.id), itemType: 'case', ...c };
  if (due) {
    // Only open cases are in the index: the team's "due first" query reads nothing else.
    item.gsi1pk = OPEN_INDEX_PARTITION;
    item.gsi1sk = `${due}#${c.id}`;
  }
  const size = Buffer.byteLength(JSON.stringify(item));
  if (size > MAX_CASE_ITEM_BYTES) {
    throw new CaseItemTooLargeError(`case ${c.id} item would be ${size} bytes`);
  }
  return item;
}

/** Cases, messages, Message-ID headers and audit events in one DynamoDB table. */
export class DynamoCaseRepository implements CaseRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async claimMessage(envelope: MessageEnvelope): Promise<MessageRecord> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...keys.message(envelope.sesMessageId),
            itemType: 'message',
            envelope,
            state: 'processing',
            caseId: null,
            role: null,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { envelope, state: 'processing', caseId: null, role: null };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.getMessage(envelope.sesMessageId);
      if (!existing) throw error;
      return existing;
    }
  }

  async getMessage(sesMessageId: string): Promise<MessageRecord | null> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: keys.message(sesMessageId),
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return null;
    return {
      envelope: out.Item.envelope as MessageEnvelope,
      state: out.Item.state as MessageRecord['state'],
      caseId: (out.Item.caseId as string | null) || null,
      role: (out.Item.role as MessageRole | null) || null,
    };
  }

  async assignMessage(sesMessageId: string, caseId: string, role: MessageRole): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.message(sesMessageId),
        UpdateExpression: 'SET caseId = :c, #role = :r',
        ExpressionAttributeNames: { '#role': 'role' },
        ExpressionAttributeValues: { ':c': caseId, ':r': role },
        ConditionExpression: 'attribute_exists(pk)',
      }),
    );
  }

  async clearAssignment(sesMessageId: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.message(sesMessageId),
        UpdateExpression: 'SET caseId = :n, #role = :n',
        ExpressionAttributeNames: { '#role': 'role' },
        ExpressionAttributeValues: { ':n': null },
      }),
    );
  }

  async completeMessage(sesMessageId: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.message(sesMessageId),
        UpdateExpression: 'SET #state = :done',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':done': 'done' },
        ConditionExpression: 'attribute_exists(pk)',
      }),
    );
  }

  async registerMessageIdHeader(header: string, owner: MessageIdOwner): Promise<MessageIdOwner> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...keys.messageIdHeader(header), itemType: 'messageId', header, ...owner },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return owner;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.findMessageIdHeader(header);
      if (!existing) throw error;
      return existing;
    }
  }

  async findMessageIdHeader(header: string): Promise<MessageIdOwner | null> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: keys.messageIdHeader(header),
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return null;
    return { caseId: out.Item.caseId as string, from: (out.Item.from as string | null) ?? null };
  }

  async getCase(id: string): Promise<CprCase | null> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.table, Key: keys.case(id), ConsistentRead: true }),
    );
    return out.Item ? toCase(out.Item) : null;
  }

  async createCase(c: CprCase): Promise<{ created: boolean; stored: CprCase }> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: caseItem({ ...c, version: 1 }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true, stored: { ...c, version: 1 } };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const stored = await this.getCase(c.id);
      if (!stored) throw error;
      return { created: false, stored };
    }
  }

  async updateCase(id: string, change: (current: CprCase) => CprCase | null): Promise<CprCase> {
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt += 1) {
      const current = await this.getCase(id);
      if (!current) throw new CaseNotFoundError(`case ${id} does not exist`);
      const next = change(current);
      if (next === null) return current;
      const written = { ...next, version: current.version + 1 };
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.table,
            Item: caseItem(written),
            ConditionExpression: 'version = :v',
            ExpressionAttributeValues: { ':v': current.version },
          }),
        );
        return written;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    throw new ConcurrentUpdateError(
      `case ${id}: ${MAX_UPDATE_ATTEMPTS} concurrent updates in a row`,
    );
  }

  async appendEvents(events: readonly AuditEvent[]): Promise<void> {
    for (const event of events) {
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...keys.event(event.caseId, event.eventId), itemType: 'event', ...event },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        // Already written by an earlier attempt: the first write is the true time of the event.
        if (!isConditionFailure(error)) throw error;
      }
    }
  }

  async listEvents(caseId: string): Promise<readonly AuditEvent[]> {
    const events: AuditEvent[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :ev)',
          ExpressionAttributeValues: { ':pk': keys.case(caseId).pk, ':ev': 'EVENT#' },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      for (const item of out.Items ?? []) {
        const { pk: _pk, sk: _sk, itemType: _t, ...event } = item;
        events.push(event as AuditEvent);
      }
      start = out.LastEvaluatedKey;
    } while (start);
    return events.sort((a, b) => a.at.localeCompare(b.at) || a.eventId.localeCompare(b.eventId));
  }

  async hasEvent(caseId: string, eventId: string): Promise<boolean> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: keys.event(caseId, eventId),
        ConsistentRead: true,
      }),
    );
    return out.Item !== undefined;
  }

  async registerOutbound(sesMessageId: string, ref: OutboundRef): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...keys.outbound(sesMessageId), itemType: 'outbound', ...ref },
      }),
    );
  }

  async findOutbound(sesMessageId: string): Promise<OutboundRef | null> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: keys.outbound(sesMessageId),
        ConsistentRead: true,
      }),
    );
    return out.Item
      ? { caseId: out.Item.caseId as string, noticeId: out.Item.noticeId as string }
      : null;
  }

  async recordHeartbeat(h: Heartbeat): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...keys.heartbeat(), itemType: 'heartbeat', ...h },
          ConditionExpression: 'attribute_not_exists(pk) OR receivedAt < :r',
          ExpressionAttributeValues: { ':r': h.receivedAt },
        }),
      );
    } catch (error) {
      // A newer heartbeat is already recorded: keeping it is the point.
      if (!isConditionFailure(error)) throw error;
    }
  }

  async getHeartbeat(): Promise<Heartbeat | null> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.table, Key: keys.heartbeat(), ConsistentRead: true }),
    );
    if (!out.Item) return null;
    const { receivedAt, sentAt, sesMessageId, latencyMs } = out.Item as Heartbeat;
    return { receivedAt, sentAt, sesMessageId, latencyMs };
  }
}
