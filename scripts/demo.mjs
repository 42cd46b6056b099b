// `npm run demo`: chsync's main job on the local stack, narrated. A PostgreSQL table of orders is
// captured by triggers, a worker syncs it into embedded ClickHouse through Redis and a Temporal
// workflow, and the two sides are compared. Re-runnable: it recreates its tables each time.
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import {
  createTableStatement,
  createWorker,
  dateTime64,
  decimal,
  defineModel,
  flushUpdate,
  installCapture,
  lowCardinality,
  openClickHouse,
  openSyncRuntime,
  parseConfig,
  probeCapabilities,
  qualifiedTable,
  replacingMergeTree,
  startSync,
  statusQuery,
  stopSignal,
  string,
  uInt64,
  uInt8,
  connectClient,
} from '../dist/src/index.js'

const envFile = resolve(process.env.CHSYNC_HOME ?? '.chsync', 'services.env')
if (!existsSync(envFile)) throw new Error(`${envFile} is missing: run npm run services:up first`)
for (const line of readFileSync(envFile, 'utf8').split('\n')) {
  const match = /^([A-Z_]+)=(.*)$/.exec(line)
  if (match) process.env[match[1]] ??= match[2]
}

const say = (text) => console.log(`\n▸ ${text}`)
const importKey = 'demo_orders'
const sourceTable = 'chsync_demo_orders'
const chdbDir = resolve(process.env.CHSYNC_HOME ?? '.chsync', 'demo-chdb')

const orders = defineModel({
  importKey,
  table: 'orders',
  fields: {
    id: uInt64(),
    customer: string(),
    status: lowCardinality(string()),
    amount: decimal(10, 2),
    updated_at: dateTime64(3, 'UTC'),
    version: uInt64(),
    is_deleted: uInt8(),
  },
  engine: replacingMergeTree({ orderBy: ['id'], version: 'version', isDeleted: 'is_deleted' }),
  source: { table: sourceTable, primaryKey: ['id'] },
  sync: { batchSize: 5000, syncDelayMs: 1000 },
})

const config = parseConfig(
  {
    databases: { default: { url: `chdb://${chdbDir}`, database: 'demo' } },
    postgres: { url: process.env.CHSYNC_POSTGRES_URL },
    redis: { url: process.env.CHSYNC_REDIS_URL },
    temporal: { address: process.env.CHSYNC_TEMPORAL_ADDRESS, taskQueue: 'chsync-demo' },
    models: [orders],
  },
  { env: {} },
)

const { default: pg } = await import('pg')
const pool = new pg.Pool({ connectionString: config.postgres.url })
const ch = openClickHouse({ url: `chdb://${chdbDir}`, database: 'demo' })

say(`PostgreSQL: table ${sourceTable}, with capture triggers (plain SQL below registers nothing itself)`)
await pool.query(`DROP TABLE IF EXISTS ${sourceTable}`)
await pool.query(`CREATE TABLE ${sourceTable} (
  id bigint PRIMARY KEY, customer text NOT NULL, status text NOT NULL,
  amount numeric(10,2) NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`)
await installCapture(pool, { importKey, source: orders.source })

say(`ClickHouse (embedded, ${chdbDir}): table demo.orders, ReplacingMergeTree(version, is_deleted)`)
await ch.client.command({ query: 'CREATE DATABASE IF NOT EXISTS demo' })
await ch.client.command({ query: `DROP TABLE IF EXISTS ${qualifiedTable('demo', 'orders')}` })
const { sql, settings } = createTableStatement(orders, await probeCapabilities(ch), 'demo')
await ch.client.command({ query: sql, clickhouse_settings: settings })

say('Worker: hosting the sync workflow and its activities (Temporal task queue chsync-demo)')
const runtime = await openSyncRuntime(config)
const { worker, connection } = await createWorker({ runtime, temporal: config.temporal, concurrency: 4 })
const running = worker.run()
const client = await connectClient(config.temporal)
const handle = await startSync(client, config.temporal, importKey)
console.log(`  workflow ${handle.workflowId} — watch it in the Temporal Web UI:`)
console.log(`  ${process.env.CHSYNC_TEMPORAL_UI_URL}/namespaces/default/workflows/${handle.workflowId}`)

say('Writing with plain SQL: 20,000 inserts, 3,000 updates, 1,000 deletes')
const started = Date.now()
await pool.query(`INSERT INTO ${sourceTable} (id, customer, status, amount)
  SELECT g, 'customer ' || (g % 500), (ARRAY['new','paid','shipped'])[1 + g % 3], round((random() * 1000)::numeric, 2)
  FROM generate_series(1, 20000) g`)
await pool.query(
  `UPDATE ${sourceTable} SET status = 'refunded', amount = 0, updated_at = now() WHERE id % 7 = 0 AND id <= 21000`,
)
await pool.query(`DELETE FROM ${sourceTable} WHERE id % 20 = 0`)

say('Flush: sync now and wait until everything written so far is in ClickHouse')
const flushed = await handle.executeUpdate(flushUpdate, { args: [{ wait: true, timeoutMs: 120_000 }] })
const status = await handle.query(statusQuery)
console.log(
  `  ${flushed.synced ? 'synced' : 'NOT synced'} in ${Date.now() - started} ms — ${status.rounds} rounds, ` +
    `${status.operationsSynced} operations, last batch ${status.lastBatch?.size} operations in ${status.lastBatch?.durationMs} ms`,
)

say('Compare: PostgreSQL vs ClickHouse (FINAL)')
const pgTotals = (await pool.query(`SELECT count(*)::text AS rows, sum(amount)::text AS amount FROM ${sourceTable}`))
  .rows[0]
const chTotals = (
  await (
    await ch.client.query({
      query: `SELECT toString(count()) AS rows, toString(sum(amount)) AS amount FROM ${qualifiedTable('demo', 'orders')} FINAL`,
      format: 'JSONEachRow',
    })
  ).json()
)[0]
console.log(`  PostgreSQL: ${pgTotals.rows} rows, sum(amount) ${pgTotals.amount}`)
console.log(`  ClickHouse: ${chTotals.rows} rows, sum(amount) ${chTotals.amount}`)
const same = pgTotals.rows === chTotals.rows && Number(pgTotals.amount) === Number(chTotals.amount)
console.log(same ? '  ✓ in sync' : '  ✗ NOT in sync')

await handle.signal(stopSignal)
await handle.result()
worker.shutdown()
await running
await connection.close()
await client.connection.close()
await runtime.close()
await ch.client.close()
await pool.end()

say('Next: run it as a service — npx chsync worker --config chsync.config.ts, npx chsync start --all (README)')
process.exitCode = same && flushed.synced ? 0 : 1
