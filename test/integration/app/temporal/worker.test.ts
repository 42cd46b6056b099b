import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, Connection } from '@temporalio/client'
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker'
import { SEARCH_ATTRIBUTES } from '../../../../workflows/search-attributes.js'
import { createGreetActivities } from '../../../fixtures/workflows/greet-activities.js'
import { greetWorkflow } from '../../../fixtures/workflows/greet.js'
import { requireEnv } from '../../../utils/services-env.js'
import { uniqueName } from '../../../utils/names.js'

describe('Temporal dev server', () => {
  let connection: Connection
  let client: Client
  let workerConnection: NativeConnection
  let bundle: WorkflowBundleWithSourceMap

  beforeAll(async () => {
    const address = requireEnv('CHSYNC_TEMPORAL_ADDRESS')
    connection = await Connection.connect({ address })
    client = new Client({ connection })
    workerConnection = await NativeConnection.connect({ address })
    bundle = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('../../../fixtures/workflows/greet.ts', import.meta.url)),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    })
  })
  afterAll(async () => {
    await connection?.close()
    await workerConnection?.close()
  })

  it('runs a workflow whose activity executes on a real worker', async () => {
    const taskQueue = uniqueName('smoke')
    const worker = await Worker.create({
      connection: workerConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: createGreetActivities({ greeting: 'Hello' }),
    })
    const result = await worker.runUntil(
      client.workflow.execute(greetWorkflow, { taskQueue, workflowId: uniqueName('greet'), args: ['chsync'] }),
    )
    expect(result).toBe('Hello, chsync (attempt 1)')
  })

  it('serves the Web UI', async () => {
    const response = await fetch(requireEnv('CHSYNC_TEMPORAL_UI_URL'))
    expect(response.status).toBe(200)
    expect(await response.text()).toMatch(/<html/i)
  })

  it('has every search attribute the sync workflow sets registered', async () => {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' })
    for (const key of SEARCH_ATTRIBUTES) expect(Object.keys(customAttributes ?? {})).toContain(key.name)
  })
})
