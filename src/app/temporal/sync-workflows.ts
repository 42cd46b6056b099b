import { WorkflowIdConflictPolicy, type Client, type WorkflowHandle } from '@temporalio/client'
import { syncModelWorkflow } from '../../../workflows/sync-model.js'
import { syncWorkflowId } from '../../../workflows/types.js'
import type { TemporalSettings } from '../../config/temporal-settings.js'

/**
 * Starting and addressing sync workflows from outside (CLI, tests, apps). Every caller goes through
 * these so the workflow id rule (`chsync-sync-<importKey>`) lives in one place.
 */

export type SyncWorkflowHandle = WorkflowHandle<typeof syncModelWorkflow>

/**
 * Starts the sync workflow of an import key, or returns the running one (conflict policy
 * use-existing): starting twice is harmless.
 */
export async function startSync(
  client: Client,
  settings: TemporalSettings,
  importKey: string,
): Promise<SyncWorkflowHandle> {
  return await client.workflow.start(syncModelWorkflow, {
    taskQueue: settings.taskQueue,
    workflowId: syncWorkflowId(importKey),
    args: [{ importKey, ...(settings.activityTimeouts ? { activityTimeouts: settings.activityTimeouts } : {}) }],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    staticSummary: `sync ${importKey} into ClickHouse`,
  })
}

export function syncHandle(client: Client, importKey: string): SyncWorkflowHandle {
  return client.workflow.getHandle<typeof syncModelWorkflow>(syncWorkflowId(importKey))
}
