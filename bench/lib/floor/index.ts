import { fileURLToPath } from 'node:url'
import { Client, Connection } from '@temporalio/client'
import { NativeConnection, Worker } from '@temporalio/worker'
import { requireEnv } from '../env.js'
import { timed } from '../stats.js'
import { floorActivities } from './activities.js'

/**
 * Temporal's own cost of a round on this machine: `rounds` rounds of `floorWorkflow` (a chsync
 * round's shape, empty activities) on the same server, through a worker in this process. Returns ms
 * per round.
 */
export async function temporalFloorMs(rounds: number): Promise<number> {
  const address = requireEnv('CHSYNC_TEMPORAL_ADDRESS')
  const taskQueue = `chsync-bench-floor-${process.pid}-${Date.now()}`
  const connection = await NativeConnection.connect({ address })
  const clientConnection = await Connection.connect({ address })
  try {
    const worker = await Worker.create({
      connection,
      taskQueue,
      workflowsPath: fileURLToPath(new URL('./workflow.js', import.meta.url)),
      activities: floorActivities,
    })
    const client = new Client({ connection: clientConnection })
    const elapsed = await worker.runUntil(
      timed(() => client.workflow.execute('floorWorkflow', { taskQueue, workflowId: taskQueue, args: [rounds] })),
    )
    return elapsed.ms / rounds
  } finally {
    await clientConnection.close()
    await connection.close()
  }
}
