import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { RELEASE_TABLE } from '../../shared-adapters/release-store/release-table.js';

export interface LocalDynamoDb {
  client: DynamoDBClient;
  endpoint: string;
  close(): Promise<void>;
}

/**
 * DynamoDB's API on this machine: dynalite, persisted in `directory` (in memory without one). The release
 * store talks to it through the same AWS SDK client and adapter it uses on AWS.
 */
export async function startLocalDynamoDb(directory?: string): Promise<LocalDynamoDb> {
  const server = dynalite({
    ...(directory ? { path: directory } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  });
  return {
    client,
    endpoint,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Creates the release table as the CDK app defines it, if it does not exist yet. */
export async function ensureReleaseTable(client: DynamoDBClient, tableName: string): Promise<void> {
  if (await isActive(client, tableName)) return;
  await createReleaseTable(client, tableName).catch((error: unknown) => {
    // Being created already (e.g. by an earlier start): it is waited for below.
    if (!(error instanceof ResourceInUseException)) throw error;
  });
  // A new table answers "not found" until it is ACTIVE (also in dynalite, after a timer that load can delay).
  // Polled every 20 ms for up to 30 s: the SDK's waiter waits at least a second between looks.
  const deadline = Date.now() + 30_000;
  while (!(await isActive(client, tableName))) {
    if (Date.now() > deadline) throw new Error(`table ${tableName} not ACTIVE after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function isActive(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return Table?.TableStatus === 'ACTIVE';
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}

async function createReleaseTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const { partitionKey, sortKey, historyIndex, historyPartitionKey, historySortKey } = RELEASE_TABLE;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [partitionKey, sortKey, historyPartitionKey, historySortKey].map((name) => ({
        AttributeName: name,
        AttributeType: 'S',
      })),
      KeySchema: [
        { AttributeName: partitionKey, KeyType: 'HASH' },
        { AttributeName: sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: historyIndex,
          KeySchema: [
            { AttributeName: historyPartitionKey, KeyType: 'HASH' },
            { AttributeName: historySortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
}
