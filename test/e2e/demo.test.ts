import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { promisify } from 'node:util'
import type { Client } from '@temporalio/client'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compareModel, describeComparison, type ColumnKind } from '../../scripts/demo/compare.mjs'
import { connectClient } from '../../src/app/temporal/connect.js'
import { syncWorkflowId } from '../../workflows/types.js'
import { postgresPool } from '../utils/clients.js'
import { requireEnv } from '../utils/services-env.js'
import { waitUntil } from '../utils/wait-until.js'

const execFileAsync = promisify(execFile)

// The example config's names (chsync.config.ts): what `npm run demo` and `npm start` use.
const ORDERS = { importKey: 'demo_orders', sourceTable: 'chsync_demo_orders', table: 'orders' }
const DOCUMENTS = { importKey: 'demo_documents', sourceTable: 'chsync_demo_documents', table: 'documents' }
const ORDER_COLUMNS: Record<string, ColumnKind> = {
  customer: 'text',
  status: 'text',
  amount: 'number',
  updated_at: 'epoch',
}
const DOCUMENT_COLUMNS: Record<string, ColumnKind> = { title: 'text', revision: 'number', embedding: 'float32Array' }
const CLICKHOUSE = { clickhouseUrl: 'chdb://.chsync/demo-chdb', database: 'chsync_demo' }

// The demo's own default target, embedded ClickHouse: the tests' CHSYNC_CLICKHOUSE_URL (the server)
// would override it. The other services are the tests' own.
const env = { ...process.env, CHSYNC_CLICKHOUSE_URL: '' }
const chsync = (...args: string[]) => execFileAsync(process.execPath, ['bin/chsync.js', ...args], { env })

/** A child's output as it comes, for waiting on a line and for failure messages. */
function collect(child: ChildProcess): { text: () => string } {
  let output = ''
  child.stdout?.on('data', (data: Buffer) => (output += data.toString()))
  child.stderr?.on('data', (data: Buffer) => (output += data.toString()))
  return { text: () => output }
}

/** Both models compared, the way the demo does at its end (no worker may hold the chDB directory). */
async function compareBoth(pool: pg.Pool) {
  return {
    orders: await compareModel({ pool, ...CLICKHOUSE, ...ORDERS, columns: ORDER_COLUMNS }),
    documents: await compareModel({ pool, ...CLICKHOUSE, ...DOCUMENTS, columns: DOCUMENT_COLUMNS }),
  }
}

/**
 * `npm run demo` as a user runs it (without the bootstrap, which the CI clone covers) and `npm start`
 * on the example config. The steps build on each other: the demo leaves both tables synced, a change
 * made while no worker runs is a difference, and the worker `npm start` runs syncs it.
 */
describe('the demo and npm start', () => {
  let pool: pg.Pool
  let client: Client

  async function workflowStatus(importKey: string): Promise<string> {
    return (await client.workflow.getHandle(syncWorkflowId(importKey)).describe()).status.name
  }

  beforeAll(async () => {
    pool = postgresPool()
    client = await connectClient({
      address: requireEnv('CHSYNC_TEMPORAL_ADDRESS'),
      namespace: 'default',
      taskQueue: 'chsync-demo',
    })
  })

  afterAll(async () => {
    await client?.connection.close()
    await pool?.end()
  })

  it('syncs both tables live, compares them row by row, says they are equal and exits 0', async () => {
    const { stdout } = await execFileAsync(process.execPath, ['scripts/demo.mjs', '--seconds', '4'], {
      env,
      maxBuffer: 16 * 1024 * 1024,
    })
    expect(stdout).toContain('Temporal Web UI: http://127.0.0.1:58233/namespaces/default/workflows')
    expect(stdout).toContain('$ chsync migrate --config chsync.config.ts')
    expect(stdout).toContain('$ chsync capture install demo_orders')
    expect(stdout).toContain('$ chsync start --all')
    // Not a terminal: plain progress lines, each with both models.
    expect(stdout).toMatch(
      /[\d,]+ rows\/s │ orders: [\d,]+ written, [\d,]+ synced, [\d,]+ backlog, lag [\d.]+s │ documents: /,
    )
    expect(stdout).toContain('demo_orders: synced, backlog 0')
    const orders = /✓ orders: PostgreSQL (\d+) rows, ClickHouse (\d+) rows, equal row by row/.exec(stdout)
    const documents = /✓ documents: PostgreSQL (\d+) rows, ClickHouse (\d+) rows, equal row by row/.exec(stdout)
    expect(Number(orders?.[1])).toBeGreaterThan(0)
    expect(Number(documents?.[1])).toBeGreaterThan(0)
    expect(stdout).toContain('PostgreSQL and ClickHouse are equal.')
    // Without --keep the workflows end cleanly: Completed in the Web UI, not running without a worker.
    expect(await workflowStatus(ORDERS.importKey)).toBe('COMPLETED')
    expect(await workflowStatus(DOCUMENTS.importKey)).toBe('COMPLETED')
  })

  it('finds a change no worker synced yet: an updated column and a deleted row', async () => {
    const { rows: updated } = await pool.query<{ id: string }>(
      `UPDATE chsync_demo_orders SET amount = amount + 1 WHERE id = (SELECT min(id) FROM chsync_demo_orders) RETURNING id::text`,
    )
    const { rows: deleted } = await pool.query<{ id: string }>(
      `DELETE FROM chsync_demo_documents WHERE id = (SELECT min(id) FROM chsync_demo_documents) RETURNING id::text`,
    )
    const { orders, documents } = await compareBoth(pool)
    expect(orders).toMatchObject({
      equal: false,
      different: { count: 1, examples: [{ id: updated[0]?.id, columns: ['amount'] }] },
      missing: { count: 0 },
      extra: { count: 0 },
    })
    expect(documents).toMatchObject({ equal: false, extra: { count: 1, examples: [deleted[0]?.id] } })
    expect(describeComparison('orders', orders)).toEqual([
      expect.stringMatching(/^✗ orders: .* DIFFERENT$/),
      `    columns differ: 1 key(s), e.g. id ${updated[0]?.id} (amount)`,
    ])
  })

  it('npm start runs a worker for chsync.config.ts that syncs them, and stops on SIGINT with exit 0', async () => {
    // Its own process group, like a terminal's foreground job: Ctrl-C signals npm and the worker both.
    const npm = spawn('npm', ['start'], { env: { ...env, CHSYNC_SERVICES: 'external' }, stdio: 'pipe', detached: true })
    const group = -(npm.pid as number)
    const output = collect(npm)
    try {
      await waitUntil('npm start: worker ready', () => output.text().includes('worker ready'), 180_000)
      await chsync('start', '--all')
      for (const model of [ORDERS, DOCUMENTS]) {
        const { stdout } = await chsync('flush', model.importKey, '--wait', '--timeout', '120')
        expect(stdout).toContain(`${model.importKey}: synced, backlog 0`)
        await chsync('stop', model.importKey)
        await waitUntil(
          `${model.importKey} completed`,
          async () => (await workflowStatus(model.importKey)) === 'COMPLETED',
        )
      }
      const exited = once(npm, 'exit')
      process.kill(group, 'SIGINT')
      const [code] = (await exited) as [number | null]
      expect(code, output.text()).toBe(0)
    } finally {
      if (npm.exitCode === null && npm.signalCode === null) process.kill(group, 'SIGKILL')
    }
    const { orders, documents } = await compareBoth(pool)
    expect(orders.equal, describeComparison('orders', orders).join('\n')).toBe(true)
    expect(documents.equal, describeComparison('documents', documents).join('\n')).toBe(true)
  })
  it('with --keep leaves the worker and workflows running, and Ctrl-C stops both and leaves no process', async () => {
    const demo = spawn(process.execPath, ['scripts/demo.mjs', '--seconds', '2', '--keep'], {
      env,
      stdio: 'pipe',
      detached: true,
    })
    const group = -(demo.pid as number)
    const output = collect(demo)
    try {
      await waitUntil('demo --keep waiting', () => output.text().includes('Ctrl-C here stops'), 240_000)
      expect(output.text()).toContain('PostgreSQL and ClickHouse are equal.')
      expect(output.text()).toContain('npx chsync pause demo_orders')
      const workerPid = Number(/The worker \(pid (\d+)\) and the workflows keep running/.exec(output.text())?.[1])
      const { stdout } = await chsync('status', ORDERS.importKey, '--json')
      expect(JSON.parse(stdout)).toMatchObject([{ importKey: ORDERS.importKey, status: { state: 'running' } }])
      const exited = once(demo, 'exit')
      process.kill(group, 'SIGINT')
      const [code] = (await exited) as [number | null]
      expect(code, output.text()).toBe(0)
      expect(() => process.kill(workerPid, 0)).toThrow(/ESRCH/)
      expect(await workflowStatus(ORDERS.importKey)).toBe('COMPLETED')
      expect(await workflowStatus(DOCUMENTS.importKey)).toBe('COMPLETED')
    } finally {
      if (demo.exitCode === null && demo.signalCode === null) process.kill(group, 'SIGKILL')
    }
  })
})
