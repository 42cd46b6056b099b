import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow'
import type { floorActivities } from './activities.js'

const options = { startToCloseTimeout: '1m' }
const local = proxyLocalActivities<typeof floorActivities>(options)
const remote = proxyActivities<typeof floorActivities>({ ...options, heartbeatTimeout: '30s' })

/**
 * A chsync round's shape with no work in it: a local activity, a scheduled activity, a local
 * activity, `rounds` times — what the Temporal server and SDK cost per round on this machine.
 */
export async function floorWorkflow(rounds: number): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    await local.nothing()
    await remote.nothing()
    await local.nothing()
  }
}
