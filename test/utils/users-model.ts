import {
  defineModel,
  int32,
  replacingMergeTree,
  sql,
  string,
  uInt64,
  uInt8,
  type Field,
} from '../../src/models/index.js'

/**
 * The `(id, name, score)` users model the fault scenarios break and repair, over a source table of
 * the same shape (`createUsersSource`). Options vary what a scenario needs: a partitioned table, a
 * narrower score type (poison rows), a `source.where`, or no `is_deleted` (old servers).
 */
export function usersModel(options: {
  importKey: string
  table: string
  sourceTable: string
  score?: Field
  /** A PARTITION BY expression, e.g. `id % 3`. */
  partitionBy?: string
  where?: string
  /** ReplacingMergeTree(version, is_deleted) needs ClickHouse ≥ 23.2. @default true */
  isDeleted?: boolean
  batchSize?: number
  /** @default 'redis' */
  storage?: 'redis' | 'postgres'
  routing?: { writeAliases: string[]; readAliases?: string[] }
}) {
  const isDeleted = options.isDeleted ?? true
  return defineModel({
    importKey: options.importKey,
    table: options.table,
    fields: {
      id: uInt64(),
      name: string(),
      score: (options.score ?? int32()) as ReturnType<typeof int32>,
      version: uInt64(),
      ...(isDeleted ? { is_deleted: uInt8() } : {}),
    },
    engine: replacingMergeTree({
      orderBy: ['id'],
      version: 'version',
      ...(isDeleted ? { isDeleted: 'is_deleted' } : {}),
      ...(options.partitionBy ? { partitionBy: sql(options.partitionBy) } : {}),
    }),
    ...(isDeleted ? {} : { deletes: 'ignore' as const }),
    source: { table: options.sourceTable, primaryKey: ['id'], ...(options.where ? { where: options.where } : {}) },
    sync: {
      syncDelayMs: 60_000,
      batchSize: options.batchSize ?? 100,
      ...(options.storage ? { storage: options.storage } : {}),
    },
    ...(options.routing ? { routing: options.routing } : {}),
  })
}

/** The source table of `usersModel`. */
export const usersSourceDDL = (table: string) =>
  `CREATE TABLE "${table}" (id bigint PRIMARY KEY, name text NOT NULL, score int NOT NULL)`
