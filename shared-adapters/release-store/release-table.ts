/**
 * The release table's layout: one table, generic keys. The CDK app creates it with these names; local mode
 * creates it in dynalite.
 *
 * | item              | pk                          | sk                               |
 * | deployment record | DEPLOYMENT#<id>             | RECORD   (gsi1: ENV#<svc>#<env>, <requestedAt>#<id>) |
 * | approval ticket   | DEPLOYMENT#<id>             | APPROVAL                         |
 * | approval lookup   | APPROVAL#<approvalId>       | LOOKUP   (→ deploymentId)         |
 * | live release      | LIVE#<service>              | <environment>                    |
 * | lock              | LOCK#<service>#<env>        | HOLDER                           |
 * | newest request    | LOCK#<service>#<env>        | NEWEST                           |
 * | freeze            | FREEZE                      | <service or *>#<env or *>        |
 * | freeze override   | OVERRIDE#<service>#<env>    | <version>                        |
 * | request seen      | REQUEST#<id>                | SEEN     (expiresAt: DynamoDB TTL) |
 */
export const RELEASE_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  historyIndex: 'gsi1',
  historyPartitionKey: 'gsi1pk',
  historySortKey: 'gsi1sk',
  /** Epoch seconds after which DynamoDB may delete the item (its TTL attribute). */
  timeToLive: 'expiresAt',
} as const;
