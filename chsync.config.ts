// The example config: the demo's two tables on the local service stack (`npm run services:up`).
// `npm run demo` drives it end to end and `npm start` runs its worker. CHSYNC_POSTGRES_URL,
// CHSYNC_REDIS_URL, CHSYNC_TEMPORAL_ADDRESS and CHSYNC_CLICKHOUSE_URL (a server instead of the
// embedded chDB directory below) override the connections.
import {
  array,
  collapsingMergeTree,
  dateTime,
  decimal,
  defineConfig,
  defineModel,
  float32,
  int8,
  string,
  uInt32,
  uInt64,
} from 'chsync'

// CollapsingMergeTree(sign) with a version column syncs deletes on every server chsync supports,
// the 18.16 server of the local stack included (ReplacingMergeTree's is_deleted needs 23.2).
const collapsing = collapsingMergeTree({ orderBy: ['id'], sign: 'sign', version: 'version' })

/** Orders: inserted, updated and deleted with plain SQL, captured by triggers into the PostgreSQL outbox. */
export const orders = defineModel({
  importKey: 'demo_orders',
  table: 'orders',
  fields: {
    id: uInt64(),
    customer: string(),
    status: string(),
    amount: decimal(10, 2),
    updated_at: dateTime('UTC'),
    version: uInt64(),
    sign: int8(),
  },
  engine: collapsing,
  source: { table: 'chsync_demo_orders', primaryKey: ['id'] },
  sync: { storage: 'postgres', batchSize: 5_000, syncDelayMs: 1_000 },
})

/** Documents with 384-d embeddings (`real[]` → `Array(Float32)`), written in small batches; through Redis. */
export const documents = defineModel({
  importKey: 'demo_documents',
  table: 'documents',
  fields: {
    id: uInt64(),
    title: string(),
    revision: uInt32(),
    embedding: array(float32(), { dimension: 384 }),
    version: uInt64(),
    sign: int8(),
  },
  engine: collapsing,
  source: { table: 'chsync_demo_documents', primaryKey: ['id'] },
  sync: { storage: 'redis', batchSize: 2_000, syncDelayMs: 1_000 },
})

export default defineConfig({
  databases: { default: { url: 'chdb://.chsync/demo-chdb', database: 'chsync_demo' } },
  postgres: { url: 'postgres://chsync:chsync@127.0.0.1:55432/chsync' },
  redis: { url: 'redis://127.0.0.1:56379' },
  temporal: { address: '127.0.0.1:57233', namespace: 'default', taskQueue: 'chsync-demo' },
  models: [orders, documents],
  migrationsDir: 'scripts/demo/migrations',
})
