import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DeploymentRecord, Release } from '../../core/deployment/deployment-record.js';
import type { Freeze, FreezeOverride } from '../../core/freezes/freeze.js';
import {
  type ApprovalTicket,
  approvalSlotOf,
  type DeploymentUpdate,
  type LockAttempt,
  type LockRequest,
  type ReleaseStore,
} from '../../core/ports/release-store.js';
import { readAll, readUpTo } from '../paging/read-pages.js';
import { RELEASE_TABLE } from './release-table.js';

const deploymentKey = (id: string) => ({ pk: `DEPLOYMENT#${id}`, sk: 'RECORD' });
/** A deployment's tickets, one per gate (approvalSlotOf): `APPROVAL` before traffic, `APPROVAL#<gate>#<step>` after. */
const ticketKey = (deploymentId: string, slot: string) => ({
  pk: `DEPLOYMENT#${deploymentId}`,
  sk: slot ? `APPROVAL#${slot}` : 'APPROVAL',
});
const approvalLookupKey = (approvalId: string) => ({ pk: `APPROVAL#${approvalId}`, sk: 'LOOKUP' });
const liveKey = (service: string, environment: string) => ({ pk: `LIVE#${service}`, sk: environment });
const lockKey = (service: string, environment: string) => ({
  pk: `LOCK#${service}#${environment}`,
  sk: 'HOLDER',
});
const newestKey = (service: string, environment: string) => ({
  pk: `LOCK#${service}#${environment}`,
  sk: 'NEWEST',
});
/** Every freeze in one partition, one item per scope: a list is one Query, a new freeze of a scope replaces it. */
const FREEZES_PARTITION = 'FREEZE';
const freezeKey = (service: string, environment: string) => ({
  pk: FREEZES_PARTITION,
  sk: `${service}#${environment}`,
});
const overrideKey = (service: string, environment: string, version: string) => ({
  pk: `OVERRIDE#${service}#${environment}`,
  sk: version,
});
/** Orders requests by time, then id; normalised so strings compare as instants. */
const requestOrder = (r: { requestedAt: string; deploymentId: string }) =>
  `${new Date(r.requestedAt).toISOString()}#${r.deploymentId}`;

const KEY_FIELDS = ['pk', 'sk', 'gsi1pk', 'gsi1sk'];
function withoutKeys<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const copy = { ...item };
  for (const field of KEY_FIELDS) delete copy[field];
  return copy as T;
}

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;
const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);

/**
 * The release store on DynamoDB's API: on AWS against the table the CDK app creates, locally against dynalite.
 * Every guard is a condition on the write itself. No transactions (dynalite has none): each operation that
 * writes two items orders them so that a retry completes it and a crash between them is recoverable.
 */
export class DynamoDbReleaseStore implements ReleaseStore {
  private readonly db: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async createDeployment(record: DeploymentRecord) {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...record,
            ...deploymentKey(record.deploymentId),
            [RELEASE_TABLE.historyPartitionKey]: `ENV#${record.service}#${record.environment}`,
            [RELEASE_TABLE.historySortKey]: requestOrder(record),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true, record };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.getDeployment(record.deploymentId);
      if (!existing) throw error;
      return { created: false, record: existing };
    }
  }

  async getDeployment(deploymentId: string) {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: deploymentKey(deploymentId), ConsistentRead: true }),
    );
    return withoutKeys<DeploymentRecord>(Item);
  }

  async updateDeployment(deploymentId: string, update: DeploymentUpdate) {
    const { phases, addWarnings, addAnalysis, addAnnounced, ...fields } = update;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    Object.entries(fields).forEach(([field, value], i) => {
      if (value === undefined) return;
      names[`#f${i}`] = field;
      values[`:f${i}`] = value;
      sets.push(`#f${i} = :f${i}`);
    });
    Object.entries(phases ?? {}).forEach(([phase, at], i) => {
      names[`#p${i}`] = phase;
      values[`:p${i}`] = at;
      sets.push(`phases.#p${i} = if_not_exists(phases.#p${i}, :p${i})`);
    });
    if (addWarnings && addWarnings.length > 0) {
      values[':w'] = addWarnings;
      sets.push('warnings = list_append(warnings, :w)');
    }
    if (addAnalysis && addAnalysis.length > 0) {
      values[':a'] = addAnalysis;
      values[':none'] = [];
      sets.push('analysis = list_append(if_not_exists(analysis, :none), :a)');
    }
    if (addAnnounced && addAnnounced.length > 0) {
      values[':n'] = addAnnounced;
      values[':none'] = [];
      sets.push('announced = list_append(if_not_exists(announced, :none), :n)');
    }
    if (sets.length === 0) {
      const record = await this.getDeployment(deploymentId);
      if (!record) throw new Error(`no deployment ${deploymentId}`);
      return record;
    }
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: deploymentKey(deploymentId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: Object.keys(names).length > 0 ? names : undefined,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return withoutKeys<DeploymentRecord>(Attributes) as DeploymentRecord;
    } catch (error) {
      if (isConditionFailure(error)) throw new Error(`no deployment ${deploymentId}`, { cause: error });
      throw error;
    }
  }

  /** The newest `limit` records: a page stops at 1 MB, so it can hold fewer. */
  async listDeployments(service: string, environment: string, limit: number) {
    const pages = paginateQuery(
      { client: this.db, pageSize: limit },
      {
        TableName: this.tableName,
        IndexName: RELEASE_TABLE.historyIndex,
        KeyConditionExpression: '#h = :h',
        ExpressionAttributeNames: { '#h': RELEASE_TABLE.historyPartitionKey },
        ExpressionAttributeValues: { ':h': `ENV#${service}#${environment}` },
        ScanIndexForward: false,
      },
    );
    const items = await readUpTo('Query (history)', pages, (page) => page.Items, limit);
    return items.map((item) => withoutKeys<DeploymentRecord>(item) as DeploymentRecord);
  }

  async getLiveRelease(service: string, environment: string) {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: liveKey(service, environment), ConsistentRead: true }),
    );
    return withoutKeys<Release>(Item);
  }

  async listLiveReleases(service: string) {
    const pages = paginateQuery(
      { client: this.db },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `LIVE#${service}` },
        ConsistentRead: true,
      },
    );
    const items = await readAll('Query (live releases)', pages, (page) => page.Items);
    return items.map((item) => withoutKeys<Release>(item) as Release);
  }

  /**
   * The live pointer is written first: it is the commit. The record follows; if that write is lost, the
   * retried step writes both again, and compensation reverts the pointer (revertRelease).
   */
  async commitRelease(release: Release, at: string) {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...release, ...liveKey(release.service, release.environment) },
      }),
    );
    await this.updateDeployment(release.deploymentId, { status: 'succeeded', finishedAt: at });
  }

  async revertRelease(service: string, environment: string, deploymentId: string, previous?: Release) {
    const condition = {
      ConditionExpression: 'deploymentId = :me',
      ExpressionAttributeValues: { ':me': deploymentId },
    };
    try {
      if (previous) {
        await this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...previous, ...liveKey(service, environment) },
            ...condition,
          }),
        );
      } else {
        await this.db.send(
          new DeleteCommand({ TableName: this.tableName, Key: liveKey(service, environment), ...condition }),
        );
      }
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async rememberRequest(requestId: string, expiresAt: Date, now: Date): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: `REQUEST#${requestId}`,
            sk: 'SEEN',
            [RELEASE_TABLE.timeToLive]: epochSeconds(expiresAt),
          },
          // TTL deletes late (within days): an expired item counts as forgotten.
          ConditionExpression: 'attribute_not_exists(pk) OR #expiresAt < :now',
          ExpressionAttributeNames: { '#expiresAt': RELEASE_TABLE.timeToLive },
          ExpressionAttributeValues: { ':now': epochSeconds(now) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async acquireLock(request: LockRequest): Promise<LockAttempt> {
    const { service, environment, deploymentId } = request;
    const holder = await this.lockHolder(service, environment);
    if (holder === deploymentId) return { outcome: 'acquired' };
    const order = requestOrder(request);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...newestKey(service, environment), deploymentId, requestOrder: order },
          ConditionExpression: 'attribute_not_exists(pk) OR requestOrder <= :mine',
          ExpressionAttributeValues: { ':mine': order },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const { Item } = await this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: newestKey(service, environment),
          ConsistentRead: true,
        }),
      );
      return { outcome: 'superseded', by: String(Item?.deploymentId) };
    }
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...lockKey(service, environment), holder: deploymentId },
          ConditionExpression: 'attribute_not_exists(pk) OR holder = :me',
          ExpressionAttributeValues: { ':me': deploymentId },
        }),
      );
      return { outcome: 'acquired' };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return {
        outcome: 'held',
        holder: (await this.lockHolder(service, environment)) ?? 'another deployment',
      };
    }
  }

  async releaseLock(service: string, environment: string, deploymentId: string) {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: lockKey(service, environment),
          ConditionExpression: 'holder = :me',
          ExpressionAttributeValues: { ':me': deploymentId },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async lockHolder(service: string, environment: string) {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: lockKey(service, environment), ConsistentRead: true }),
    );
    return Item?.holder as string | undefined;
  }

  /**
   * The ticket lives under its deployment (one per gate, a conditional put); a lookup item maps its id to its
   * key.
   */
  async openApproval(ticket: ApprovalTicket) {
    const key = ticketKey(ticket.deploymentId, approvalSlotOf(ticket));
    let opened = ticket;
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...ticket, ...key },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.ticketAt(key);
      if (!existing) throw error;
      opened = existing;
    }
    // Idempotent: written again on every call, so a crash after the ticket's write is repaired by the retry.
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...approvalLookupKey(opened.approvalId),
          deploymentId: opened.deploymentId,
          ticketSk: key.sk,
        },
      }),
    );
    return opened;
  }

  async getApproval(approvalId: string) {
    const key = await this.ticketKeyOf(approvalId).catch(() => undefined);
    return key ? this.ticketAt(key) : undefined;
  }

  async approvalOf(deploymentId: string) {
    const pages = paginateQuery(
      { client: this.db },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :approval)',
        ExpressionAttributeValues: { ':pk': `DEPLOYMENT#${deploymentId}`, ':approval': 'APPROVAL' },
        ConsistentRead: true,
      },
    );
    const tickets = (await readAll('Query (approvals)', pages, (page) => page.Items)).map(
      (item) => withoutKeys<ApprovalTicket>(item) as ApprovalTicket,
    );
    return tickets.sort((a, b) => a.requestedAt.localeCompare(b.requestedAt)).at(-1);
  }

  private async ticketAt(key: { pk: string; sk: string }) {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return withoutKeys<ApprovalTicket>(Item);
  }

  async attachApprovalMessage(approvalId: string, message: { channel: string; ts: string }) {
    const key = await this.ticketKeyOf(approvalId);
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: 'SET message = :m',
        ExpressionAttributeValues: { ':m': message },
      }),
    );
  }

  async rearmApproval(approvalId: string, taskToken: string) {
    const key = await this.ticketKeyOf(approvalId);
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET taskToken = :t',
          ConditionExpression: '#s = :pending',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':t': taskToken, ':pending': 'pending' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return withoutKeys<ApprovalTicket>(Attributes) as ApprovalTicket;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const ticket = await this.getApproval(approvalId);
      if (!ticket) throw new Error(`no approval ${approvalId}`);
      return ticket;
    }
  }

  async decideApproval(
    approvalId: string,
    decision: { status: Exclude<ApprovalTicket['status'], 'pending'>; by: string; at: string },
  ) {
    const key = await this.ticketKeyOf(approvalId).catch(() => undefined);
    if (!key) return undefined;
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET #s = :status, decidedBy = :by, decidedAt = :at',
          ConditionExpression: '#s = :pending',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':status': decision.status,
            ':by': decision.by,
            ':at': decision.at,
            ':pending': 'pending',
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return withoutKeys<ApprovalTicket>(Attributes);
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  private async ticketKeyOf(approvalId: string) {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: approvalLookupKey(approvalId), ConsistentRead: true }),
    );
    if (!Item) throw new Error(`no approval ${approvalId}`);
    // Lookups written before gates existed name no key: the deployment's only ticket, before traffic.
    const deploymentId = String(Item.deploymentId);
    return Item.ticketSk
      ? { pk: `DEPLOYMENT#${deploymentId}`, sk: String(Item.ticketSk) }
      : ticketKey(deploymentId, '');
  }

  async putFreeze(freeze: Freeze) {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...freeze, ...freezeKey(freeze.service, freeze.environment) },
      }),
    );
  }

  async removeFreeze(service: string, environment: string) {
    const { Attributes } = await this.db.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: freezeKey(service, environment),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return withoutKeys<Freeze>(Attributes);
  }

  async listFreezes() {
    const pages = paginateQuery(
      { client: this.db },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': FREEZES_PARTITION },
        ConsistentRead: true,
      },
    );
    const items = await readAll('Query (freezes)', pages, (page) => page.Items);
    return items.map((item) => withoutKeys<Freeze>(item) as Freeze);
  }

  async putFreezeOverride(override: FreezeOverride) {
    const key = overrideKey(override.service, override.environment, override.version);
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...override, ...key } }));
  }

  async freezeOverrideOf(service: string, environment: string, version: string) {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: overrideKey(service, environment, version),
        ConsistentRead: true,
      }),
    );
    return withoutKeys<FreezeOverride>(Item);
  }
}
