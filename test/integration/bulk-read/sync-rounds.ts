import { qualifiedTable, type ClickHouseDatabase } from '../../../src/clickhouse/index.js'
import type { Model, SourceRow } from '../../../src/models/model.js'
import { needsCurrentState, readCurrentState, serializeBatch } from '../../../src/serializers/index.js'
import type { Operation } from '../../../src/storages/storage.js'

/** One round's operations and the source rows they read (a key without a row is a delete). */
export interface Round {
  operations: Operation[]
  rows: Map<string, SourceRow>
}

/**
 * What a sync round writes to ClickHouse, without the storage and the workflow around it: the
 * current state when the engine needs it (cancel rows), the serializer, one insert per round.
 */
export async function writeRound(
  db: ClickHouseDatabase,
  model: Model,
  round: Round,
  queryParameters: boolean,
): Promise<void> {
  const keys = round.operations.map((operation) => operation.key)
  const currentState = needsCurrentState(model)
    ? await readCurrentState(db, model, keys, { queryParameters })
    : undefined
  const batch = serializeBatch(model, { ...round, ...(currentState ? { currentState } : {}) })
  const poison = batch.poison[0]
  if (poison) throw poison.error
  await db.client.insert({ table: qualifiedTable(db.database, model.table), values: batch.rows, format: 'JSONEachRow' })
}
