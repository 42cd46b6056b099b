import { WorkflowIdConflictPolicy, type Client, type WorkflowHandle } from '@temporalio/client'
import { backfillWorkflow } from '../../../workflows/backfill.js'
import { backfillWorkflowId } from '../../../workflows/backfill-types.js'
import type { TemporalSettings } from '../../config/temporal-settings.js'

/** Starting and addressing backfill workflows (`chsync-backfill-<importKey>`) from outside. */

export type BackfillWorkflowHandle = WorkflowHandle<typeof backfillWorkflow>

export interface BackfillOptions {
  /** @default 4 */
  parallel?: number
  /** @default 100000 */
  rangeRows?: number
}

/**
 * Starts the backfill of an import key, or returns the one running (conflict policy use-existing:
 * its own options stay). A finished backfill's id may be used again: a new one starts, with new
 * tokens (its first run id names it).
 */
export async function startBackfill(
  client: Client,
  settings: TemporalSettings,
  importKey: string,
  options: BackfillOptions = {},
): Promise<BackfillWorkflowHandle> {
  return await client.workflow.start(backfillWorkflow, {
    taskQueue: settings.taskQueue,
    workflowId: backfillWorkflowId(importKey),
    args: [
      {
        importKey,
        ...options,
        ...(settings.activityTimeouts ? { activityTimeouts: settings.activityTimeouts } : {}),
      },
    ],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    staticSummary: `backfill ${importKey} from its source table`,
  })
}

export function backfillHandle(client: Client, importKey: string): BackfillWorkflowHandle {
  return client.workflow.getHandle<typeof backfillWorkflow>(backfillWorkflowId(importKey))
}
