import { fileURLToPath } from 'node:url'
import { Client, Connection } from '@temporalio/client'
import { NativeConnection, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker'
import { requireEnv } from './services-env.js'

/** Connections to the real Temporal dev server, and the workflow bundle built once per test file. */
export interface TemporalTestKit {
  client: Client
  workerConnection: NativeConnection
  bundle: WorkflowBundleWithSourceMap
  close(): Promise<void>
}

const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} }

export async function temporalTestKit(workflowsPath = '../../workflows/index.ts'): Promise<TemporalTestKit> {
  const address = requireEnv('CHSYNC_TEMPORAL_ADDRESS')
  const connection = await Connection.connect({ address })
  const workerConnection = await NativeConnection.connect({ address })
  const bundle = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL(workflowsPath, import.meta.url)),
    logger: silent,
  })
  return {
    client: new Client({ connection }),
    workerConnection,
    bundle,
    async close() {
      await connection.close()
      await workerConnection.close()
    },
  }
}
