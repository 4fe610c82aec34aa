import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { actionSql, conditionSql, parseActions } from '../../../../main/emulators/tableau/data-update';

const key = { op: 'eq', 'source-col': 'RECORDNO', 'target-col': 'RECORDNO' };
const tables = { target: 'T', source: 'S', targetColumns: ['RECORDNO', 'NAME'], sourceColumns: ['RECORDNO', 'NAME'] };

describe('data-update', () => {
  it('accepts the reference examples (tableau-rest.md §2)', () => {
    const actions = parseActions(
      {
        actions: [
          { action: 'upsert', 'source-schema': 'Extract', 'source-table': 'Extract', 'target-schema': 'Extract', 'target-table': 'Extract', condition: key },
          { action: 'delete', 'source-schema': 'Extract', 'source-table': 'deleted', 'target-schema': 'Extract', 'target-table': 'Extract', condition: key },
          {
            action: 'delete',
            'target-schema': 'Extract',
            'target-table': 'Extract',
            condition: { op: 'lt', 'target-col': 'POSTED', const: { type: 'datetime', v: '2024-01-01T00:00:00Z' } },
          },
        ],
      },
      true,
    );
    assert.deepEqual(
      actions.map((a) => [a.action, a.sourceTable ?? null]),
      [
        ['upsert', 'Extract'],
        ['delete', 'deleted'],
        ['delete', null],
      ],
    );
  });

  it('refuses malformed actions with 400000', () => {
    const bad: [unknown, boolean, RegExp][] = [
      [{}, true, /'actions' array/],
      [{ actions: [{ action: 'merge', 'target-schema': 'E', 'target-table': 'E' }] }, true, /unknown action/],
      [{ actions: [{ action: 'upsert', 'source-schema': 'E', 'source-table': 'E', 'target-schema': 'E', 'target-table': 'E' }] }, true, /needs a 'condition'/],
      [{ actions: [{ action: 'insert', 'source-schema': 'E', 'source-table': 'E', 'target-schema': 'E', 'target-table': 'E' }] }, false, /no uploadSessionId/],
      [
        {
          actions: [
            {
              action: 'delete',
              'target-schema': 'E',
              'target-table': 'E',
              condition: { op: 'eq', 'target-col': 'A', 'source-col': 'A', const: { type: 'integer', v: 1 } },
            },
          ],
        },
        true,
        /exactly one/,
      ],
      [
        { actions: [{ action: 'delete', 'target-schema': 'E', 'target-table': 'E', condition: { op: 'eq', 'target-col': 'A', 'source-col': 'A' } }] },
        true,
        /no source table/,
      ],
      [{ actions: [{ action: 'delete', 'target-schema': 'E', 'target-table': 'E', condition: { op: 'and', args: [] } }] }, true, /non-empty 'args'/],
    ];
    for (const [body, hasPayload, re] of bad)
      assert.throws(
        () => parseActions(body, hasPayload),
        (e: unknown) => re.test((e as Error).message) && (e as { code?: string }).code === '400000',
        String(re),
      );
  });

  it('turns conditions into SQL with quoted identifiers and escaped literals', () => {
    const [a] = parseActions(
      {
        actions: [
          {
            action: 'delete',
            'target-schema': 'E',
            'target-table': 'E',
            condition: {
              op: 'or',
              args: [
                { op: 'ne', 'target-col': 'NA"ME', const: { type: 'string', v: "O'Brien" } },
                { op: 'not', args: [{ op: 'ge', 'target-col': 'N', const: { type: 'integer', v: 5 } }] },
              ],
            },
          },
        ],
      },
      false,
    );
    assert.equal(conditionSql(a!.condition!), `((t."NA""ME" <> 'O''Brien') OR (NOT (t."N" >= 5)))`);
  });

  it('builds upsert as delete + insert when the source has every target column, else update + insert', () => {
    const [up] = parseActions(
      { actions: [{ action: 'upsert', 'source-schema': 'E', 'source-table': 'E', 'target-schema': 'E', 'target-table': 'E', condition: key }] },
      true,
    );
    assert.deepEqual(actionSql(up!, tables), [
      'DELETE FROM T AS t WHERE EXISTS (SELECT 1 FROM S AS s WHERE (t."RECORDNO" = s."RECORDNO"))',
      'INSERT INTO T ("RECORDNO", "NAME") SELECT s."RECORDNO", s."NAME" FROM S AS s',
    ]);
    const partial = actionSql(up!, { ...tables, sourceColumns: ['RECORDNO'] });
    assert.match(partial[0]!, /^UPDATE T AS t SET "RECORDNO" = s."RECORDNO" FROM S AS s WHERE/);
    assert.match(partial[1]!, /WHERE NOT EXISTS \(SELECT 1 FROM T AS t WHERE \(t."RECORDNO" = s."RECORDNO"\)\)$/);
  });

  it('refuses source columns the target lacks, and extra columns in a delete source table', () => {
    const [ins, del] = parseActions(
      {
        actions: [
          { action: 'insert', 'source-schema': 'E', 'source-table': 'E', 'target-schema': 'E', 'target-table': 'E' },
          { action: 'delete', 'source-schema': 'E', 'source-table': 'd', 'target-schema': 'E', 'target-table': 'E', condition: key },
        ],
      },
      true,
    );
    assert.throws(() => actionSql(ins!, { ...tables, sourceColumns: ['RECORDNO', 'OTHER'] }), /OTHER do not exist/);
    assert.throws(() => actionSql(del!, tables), /not used by the condition: NAME/);
    assert.deepEqual(actionSql(del!, { ...tables, sourceColumns: ['RECORDNO'] }), [
      'DELETE FROM T AS t WHERE EXISTS (SELECT 1 FROM S AS s WHERE (t."RECORDNO" = s."RECORDNO"))',
    ]);
  });
});
