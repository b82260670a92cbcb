import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BakeRequest } from '../../core/ports/image-baker.js';

export type BakeStep = 'building' | 'imaging' | 'succeeded' | 'failed' | 'cancelled';

/** One bake on EC2, as the steps that advance it (event handlers, the Bake Task's re-check) see it. */
export interface BakeEntry {
  bakeId: string;
  request: BakeRequest;
  step: BakeStep;
  builderInstanceId: string;
  startedAt: string;
  imageId?: string;
  /** When the bake moved to imaging: until the visibility delay has passed, an unseen image is pending. */
  imagingAt?: string;
  /** From the builder's report (the manifest's healthPath), tagged on the image. */
  healthPath?: string;
  reason?: string;
  /** The waiting Bake Task's token; kept here, never in a tag or a log. */
  taskToken?: string;
}

/** Where EC2 bakes keep their progress: items `BAKE#<bakeId>` in the release table. */
export class BakeLedger {
  private readonly db: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  private key(bakeId: string) {
    return { pk: `BAKE#${bakeId}`, sk: 'LEDGER' };
  }

  /** Creates the entry unless the bake exists already; returns the stored entry. */
  async create(entry: BakeEntry): Promise<BakeEntry> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...entry, ...this.key(entry.bakeId) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return entry;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return (await this.get(entry.bakeId)) as BakeEntry;
    }
  }

  async get(bakeId: string): Promise<BakeEntry | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: this.key(bakeId), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, ...entry } = Item;
    return entry as BakeEntry;
  }

  /** Moves the bake on, only from the step it was read in: two events racing cannot both act. */
  async advance(
    bakeId: string,
    from: BakeStep,
    change: Partial<Omit<BakeEntry, 'bakeId' | 'request'>>,
  ): Promise<boolean> {
    const sets = Object.keys(change).map((_, i) => `#f${i} = :f${i}`);
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(bakeId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'step = :from',
          ExpressionAttributeNames: Object.fromEntries(
            Object.keys(change).map((field, i) => [`#f${i}`, field]),
          ),
          ExpressionAttributeValues: {
            ':from': from,
            ...Object.fromEntries(Object.values(change).map((v, i) => [`:f${i}`, v])),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async setTaskToken(bakeId: string, taskToken: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key(bakeId),
        UpdateExpression: 'SET taskToken = :t',
        ExpressionAttributeValues: { ':t': taskToken },
      }),
    );
  }

  /** Removes the token if it is still this one: of several steps that see the bake end, one delivers. */
  async takeTaskToken(bakeId: string, taskToken: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(bakeId),
          UpdateExpression: 'REMOVE taskToken',
          ConditionExpression: 'taskToken = :t',
          ExpressionAttributeValues: { ':t': taskToken },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
