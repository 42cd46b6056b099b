// `npm run demo`: chsync's main job, live, through the interfaces a user has. The example config
// (chsync.config.ts) declares two models; the demo runs `chsync migrate`, `chsync capture install`,
// a `chsync worker` process and `chsync start`, streams plain-SQL changes into PostgreSQL while a
// progress line shows them arrive, then `chsync flush --wait` and a row-by-row comparison of both
// sides. Exit 0 only when every model is equal. Re-runnable: it recreates its tables each time.
//
//   npm run demo -- [--seconds N] [--keep] [--clickhouse URL]
//
// Embedded ClickHouse (chDB) binds its directory to one process for that process's whole life: the
// worker owns it, so the comparison reads it from a child process while no worker runs (the
// workflows wait in Temporal meanwhile), and `--keep` starts the worker again afterwards.
import { mkdirSync, rmSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Command, InvalidArgumentError } from 'commander'
import pg from 'pg'
import {
  connectClient,
  loadConfig,
  openClickHouse,
  openStorage,
  quoteIdentifier,
  stopSignal,
  syncHandle,
} from '../dist/src/index.js'
import { compareModel, describeComparison } from './demo/compare.mjs'
import { chsync, WorkerChild } from './demo/processes.mjs'
import { showProgress, syncedBaseline } from './demo/progress.mjs'
import { serviceEnvironment } from './demo/services.mjs'
import { createSourceTables, writeChanges } from './demo/writer.mjs'

const seconds = (value) => {
  const number = Number(value)
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError('expected a whole number of seconds ≥ 1')
  return number
}
const options = new Command('npm run demo --')
  .description('chsync syncing two PostgreSQL tables into ClickHouse live, then both sides compared row by row')
  .option('--seconds <n>', 'how long the writer streams changes', seconds, 30)
  .option('--keep', 'leave the worker and the workflows running at the end, to try chsync pause|resume|flush|status')
  .option('--clickhouse <url>', 'a ClickHouse server instead of embedded chDB (also CHSYNC_CLICKHOUSE_URL)')
  .parse()
  .opts()

// The config's relative paths (the chDB directory, the migrations) are the repository's.
process.chdir(fileURLToPath(new URL('..', import.meta.url)))
const CONFIG = 'chsync.config.ts'
const COLUMNS = {
  demo_orders: { customer: 'text', status: 'text', amount: 'number', updated_at: 'epoch' },
  demo_documents: { title: 'text', revision: 'number', embedding: 'float32Array' },
}

const { env, webUi } = serviceEnvironment()
if (options.clickhouse) env.CHSYNC_CLICKHOUSE_URL = options.clickhouse
const config = await loadConfig(CONFIG, { env })
const target = config.databases.default
const embedded = target.url.startsWith('chdb://')
const models = Object.keys(COLUMNS).map((importKey) => {
  const unit = config.registry.get(importKey)
  return {
    importKey,
    label: unit.models[0].table,
    sourceTable: unit.source.table,
    table: unit.models[0].table,
    storageKind: unit.sync.storage,
  }
})
/** A server URL as it may be printed: a password in it is never shown. */
const withoutPassword = (url) => {
  const parsed = new URL(url)
  if (parsed.password) parsed.password = '***'
  return parsed.toString()
}
const say = (text) => console.log(`\n▸ ${text}`)
const workflowsUrl = `${webUi}/namespaces/${config.temporal.namespace}/workflows`
const logFile = resolve('.chsync', 'demo-worker.log')
mkdirSync(resolve(logFile, '..'), { recursive: true })

const pool = new pg.Pool({ connectionString: config.postgres.url, max: 4 })
const outbox = openStorage({ kind: 'postgres', url: config.postgres.url })
const redis = openStorage({ kind: 'redis', url: config.redis.url })
const worker = new WorkerChild(['--config', CONFIG], { env, logFile })
let client = null
let workflowsStarted = false

// Ctrl-C (or SIGTERM/SIGHUP): the first one stops the demo cleanly, a second one at once.
const interrupt = new AbortController()
const onSignal = (signal) => {
  if (interrupt.signal.aborted) process.exit(130)
  console.log(`\n${signal}: stopping the workflows and the worker (again to quit at once)`)
  interrupt.abort()
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, onSignal)
const interrupted = () => {
  if (interrupt.signal.aborted) throw new Error('interrupted')
}

/** The stop signal (what `chsync stop` sends) to every model, waiting until each workflow completed (Completed in the Web UI). */
async function stopWorkflows() {
  for (const model of models) {
    const handle = syncHandle(client, model.importKey)
    await handle.signal(stopSignal)
    let timer
    const ended = await Promise.race([
      handle.result().then(() => true),
      new Promise((resolve) => (timer = setTimeout(() => resolve(false), 30_000))),
    ])
    clearTimeout(timer)
    if (!ended) console.log(`  ${model.importKey}: still stopping after 30 s (see npx chsync status)`)
  }
}

let exitCode = 1
let compared = false
try {
  console.log('chsync demo: PostgreSQL → capture → storage → one Temporal workflow per model → ClickHouse')
  console.log(
    `  ClickHouse: ${embedded ? `embedded (chDB) in ${target.url.slice('chdb://'.length)}` : withoutPassword(target.url)}`,
  )
  console.log(`  Temporal Web UI: ${workflowsUrl}`)

  say(`Tables: ${models.map((model) => model.sourceTable).join(', ')} in PostgreSQL, recreated empty`)
  await createSourceTables(pool, { orders: models[0].sourceTable, documents: models[1].sourceTable })
  if (embedded) rmSync(target.url.slice('chdb://'.length), { recursive: true, force: true })
  else {
    const server = openClickHouse({ url: target.url, database: 'default' })
    await server.client.command({ query: `DROP DATABASE IF EXISTS ${quoteIdentifier(target.database)}` })
    await server.client.close()
  }
  await chsync(['migrate', '--config', CONFIG], { env })
  for (const model of models) await chsync(['capture', 'install', model.importKey, '--config', CONFIG], { env })
  interrupted()

  say(`Worker: chsync worker, task queue ${config.temporal.taskQueue} (log: ${logFile})`)
  await worker.start()
  console.log(`  worker ready, pid ${worker.pid}`)
  await chsync(['start', '--all', '--config', CONFIG], { env })
  workflowsStarted = true
  for (const model of models) console.log(`  ${workflowsUrl}/chsync-sync-${model.importKey}`)
  client = await connectClient(config.temporal)
  interrupted()

  say(
    `Writing for ${options.seconds}s: orders inserted, updated and deleted; documents with 384-d embeddings in small batches`,
  )
  const written = Object.fromEntries(models.map((model) => [model.label, 0]))
  const stopProgress = showProgress({
    client,
    models: models.map((model) => ({
      ...model,
      storages: model.storageKind === 'redis' ? [redis, outbox] : [outbox],
    })),
    baseline: await syncedBaseline(client, models),
    written,
    startedAt: Date.now(),
  })
  try {
    await writeChanges(
      pool,
      { orders: models[0].sourceTable, documents: models[1].sourceTable },
      { untilMs: Date.now() + options.seconds * 1000, signal: interrupt.signal, written },
    )
  } finally {
    await stopProgress()
  }
  interrupted()

  say('Flush: sync what was written and wait for it')
  for (const model of models)
    await chsync(['flush', model.importKey, '--wait', '--timeout', '120', '--config', CONFIG], { env })

  say(
    options.keep
      ? 'Compare: the worker stops meanwhile (chDB opens its directory in one process only); the workflows wait'
      : 'Compare: the workflows and the worker are stopped first',
  )
  if (!options.keep) {
    await stopWorkflows()
    workflowsStarted = false
  }
  await worker.stop()
  const results = []
  for (const model of models) {
    const result = await compareModel({
      pool,
      clickhouseUrl: target.url,
      database: target.database,
      table: model.table,
      sourceTable: model.sourceTable,
      columns: COLUMNS[model.importKey],
    })
    results.push(result)
    for (const line of describeComparison(model.label, result)) console.log(`  ${line}`)
  }
  exitCode = results.every((result) => result.equal) ? 0 : 1
  compared = true
  console.log(
    exitCode === 0 ? '\nPostgreSQL and ClickHouse are equal.' : '\nPostgreSQL and ClickHouse DIFFER (see above).',
  )

  if (options.keep) {
    interrupted()
    await worker.start()
    say(`The worker (pid ${worker.pid}) and the workflows keep running. In another terminal, from this folder:`)
    for (const command of [
      'status',
      `pause ${models[0].importKey}`,
      `resume ${models[0].importKey}`,
      `flush ${models[0].importKey} --wait`,
    ])
      console.log(`  npx chsync ${command}`)
    console.log(`  Web UI: ${workflowsUrl}`)
    console.log('Ctrl-C here stops the workflows and the worker.')
    await new Promise((resolve) => interrupt.signal.addEventListener('abort', resolve, { once: true }))
  } else {
    console.log('Run it as a service: npm start (the worker), then npx chsync start --all; or npm run demo -- --keep.')
  }
} catch (error) {
  if (!interrupt.signal.aborted) {
    console.error(`\ndemo failed: ${error.message}`)
    console.error(`  worker log: ${logFile}; services: npm run services:status`)
  }
} finally {
  if (workflowsStarted && worker.running) await stopWorkflows().catch(() => undefined)
  await worker.stop()
  await client?.connection.close()
  await Promise.allSettled([pool.end(), outbox.close(), redis.close()])
}
process.exitCode = interrupt.signal.aborted && !compared ? 130 : exitCode
