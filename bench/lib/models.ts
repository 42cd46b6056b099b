import { defineModel } from '../../src/models/define-model.js'
import { replacingMergeTree } from '../../src/models/engines/index.js'
import { array, dateTime, float32, float64, string, uInt64 } from '../../src/models/fields/index.js'
import type { Model } from '../../src/models/model.js'

/**
 * The benchmarks' models: ReplacingMergeTree by sequence, no is_deleted and no DateTime64, so the
 * same model runs on the stack's 18.16 server and on chDB 26.x.
 */
export interface BenchModelOptions {
  importKey: string
  sourceTable: string
  /** ClickHouse table. @default importKey */
  table?: string
  /** @default the chsync default (10,000) */
  batchSize?: number
  /** @default 1,000 ms */
  syncDelayMs?: number
  /** Where operations wait. @default the chsync default (redis) */
  storage?: 'redis' | 'postgres'
}

function sync(options: BenchModelOptions) {
  return {
    syncDelayMs: options.syncDelayMs ?? 1000,
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    ...(options.storage ? { storage: options.storage } : {}),
  }
}

export function ordersModel(options: BenchModelOptions): Model {
  return defineModel({
    importKey: options.importKey,
    table: options.table ?? options.importKey,
    fields: {
      id: uInt64(),
      customer: string(),
      status: string(),
      amount: float64(),
      updated_at: dateTime('UTC'),
      version: uInt64(),
    },
    engine: replacingMergeTree({ orderBy: ['id'], version: 'version' }),
    source: { table: options.sourceTable, primaryKey: ['id'] },
    deletes: 'ignore',
    sync: sync(options),
  })
}

export function vectorsModel(options: BenchModelOptions & { dims: number }): Model {
  return defineModel({
    importKey: options.importKey,
    table: options.table ?? options.importKey,
    fields: { id: uInt64(), embedding: array(float32()), version: uInt64() },
    engine: replacingMergeTree({ orderBy: ['id'], version: 'version' }),
    source: { table: options.sourceTable, primaryKey: ['id'] },
    deletes: 'ignore',
    sync: sync(options),
  })
}
