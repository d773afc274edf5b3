/**
 * `inventoryImport`: the inventory table created by DynamoDB's import from S3 of the files
 * `cpr inventory export-ddb-json` writes. The option adds the import source to that one table and
 * changes nothing else in the template: not the table's keys, indexes or protection, and no grant
 * (the import runs as CloudFormation's role, docs/deploy.md). Whether the converter's files load
 * as DynamoDB items is the converter's test (test/integration, export-ddb-json).
 */
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, test } from 'vitest';
import { INVENTORY_IMPORT_WARNING } from '../../infra/constructs/case-store.ts';
import { INVENTORY_TABLE_SCHEMA } from '../../lambdas/adapters/dynamo/schema.ts';
import { buildApp, logicalId, SAMPLE_INVENTORY_IMPORT } from './support.ts';

const plain = buildApp();
const imported = buildApp({ inventoryImport: SAMPLE_INVENTORY_IMPORT });
const inventoryId = logicalId(plain.stack, plain.stack.store.inventory);

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;
const resourcesOf = (built: typeof plain): Resources =>
  built.template.toJSON().Resources as Resources;

describe('inventoryImport', () => {
  test('the inventory table is created from the gzip DynamoDB JSON files under the prefix', () => {
    const table = resourcesOf(imported)[inventoryId];
    expect(table?.Properties?.ImportSourceSpecification).toEqual({
      InputFormat: 'DYNAMODB_JSON',
      InputCompressionType: 'GZIP',
      S3BucketSource: {
        S3Bucket: SAMPLE_INVENTORY_IMPORT.bucketName,
        S3KeyPrefix: SAMPLE_INVENTORY_IMPORT.keyPrefix,
        // The stack's own account: the option takes no bucket of another account.
        S3BucketOwner: { Ref: 'AWS::AccountId' },
      },
    });
  });

  test('the imported table has the same keys and keys-only indexes as the empty one', () => {
    // The empty table's shape is pinned in storage.test.ts; here the two must agree.
    const before = resourcesOf(plain)[inventoryId]?.Properties;
    const after = resourcesOf(imported)[inventoryId]?.Properties;
    expect(after?.KeySchema).toEqual(before?.KeySchema);
    expect(after?.AttributeDefinitions).toEqual(before?.AttributeDefinitions);
    expect(after?.GlobalSecondaryIndexes).toEqual(before?.GlobalSecondaryIndexes);
    const inv = INVENTORY_TABLE_SCHEMA;
    expect(after?.KeySchema).toEqual([{ AttributeName: inv.partitionKey, KeyType: 'HASH' }]);
    expect(after?.GlobalSecondaryIndexes).toEqual(
      [inv.bySha256Index, inv.bySpkiIndex].map((index) =>
        expect.objectContaining({
          IndexName: index.name,
          Projection: { ProjectionType: 'KEYS_ONLY' },
        }),
      ),
    );
  });

  test('apart from the import source, the template is exactly the one without the option', () => {
    // Same logical id, keys, indexes, PITR, encryption, deletion protection and retain policies;
    // no other resource, grant or output added or changed.
    const withoutSource = structuredClone(imported.template.toJSON());
    const table = (withoutSource.Resources as Resources)[inventoryId];
    expect(table?.Properties).toHaveProperty('ImportSourceSpecification');
    delete table?.Properties?.ImportSourceSpecification;
    expect(withoutSource).toEqual(plain.template.toJSON());
  });

  test('without the option no table has an import source', () => {
    const tables = Object.values(resourcesOf(plain)).filter(
      (r) => r.Type === 'AWS::DynamoDB::Table',
    );
    expect(tables).toHaveLength(3);
    for (const t of tables) expect(t.Properties).not.toHaveProperty('ImportSourceSpecification');
    // Only the inventory table ever gets one.
    const withSource = Object.entries(resourcesOf(imported))
      .filter(([, r]) => r.Properties?.ImportSourceSpecification !== undefined)
      .map(([id]) => id);
    expect(withSource).toEqual([inventoryId]);
  });

  test('a prefix left out imports the whole bucket', () => {
    const { template } = buildApp({ inventoryImport: { bucketName: 'example-ca-inventory' } });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      ImportSourceSpecification: {
        S3BucketSource: { S3Bucket: 'example-ca-inventory', S3KeyPrefix: Match.absent() },
      },
    });
  });

  test('every synth warns that changing the option on a deployed stack replaces the table', () => {
    const warnings = Annotations.fromStack(imported.stack).findWarning('*', Match.anyValue());
    expect(warnings.map((w) => [w.id, w.entry.data])).toEqual([
      [
        `/${imported.stack.store.inventory.node.path}`,
        expect.stringMatching(
          new RegExp(
            '^The inventory table is created by DynamoDB import from ' +
              's3://example-ca-staging/inventory/2026-12-01/\\. .*adding, changing or removing ' +
              'it replaces the inventory table',
          ),
        ),
      ],
    ]);
    expect(String(warnings[0]?.entry.data)).toContain(`[ack: ${INVENTORY_IMPORT_WARNING}]`);
    expect(Annotations.fromStack(plain.stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});
