import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription } from '@temporalio/client'
import { statusQuery } from '../../../workflows/messages.js'
import { lastSyncTimeSearchAttribute, stateSearchAttribute } from '../../../workflows/search-attributes.js'
import type { SyncStatus } from '../../../workflows/types.js'
import { messageOf } from '../../errors.js'
import type { DeadLetter, Storage } from '../../storages/storage.js'
import { syncHandle } from '../temporal/sync-workflows.js'

/** What `chsync status` knows about one model, from Temporal and from the storage. */
export interface ModelStatusReport {
  importKey: string
  /**
   * `not started`; while the workflow is open, its own state (`running`, `paused`, `blocked`,
   * `stopping`: from the status query, else from its `ChsyncState` search attribute as of its last
   * round; `pending` before its first round); once it closed, `stopped` (it completed after `chsync stop`) or Temporal's status
   * (`failed`, `terminated`, `timed_out`, `canceled`).
   */
  state: string
  /** The workflow's execution status in Temporal (`RUNNING`, `COMPLETED`, …); null when not started. */
  execution: string | null
  /** The live answer of the workflow's status query; null when no worker answered or it is closed. */
  status: SyncStatus | null
  /** Operations waiting in the storage, read there (not from the workflow). */
  backlog: number
  /** ISO time of the last synced round, from the status query or the `ChsyncLastSyncTime` search attribute. */
  lastSyncTime: string | null
  /** Why no worker answered (no poller on the task queue, or the query timed out); null when one did. */
  noWorker: string | null
  deadLetters: DeadLetter[]
}

/** How long `chsync status` waits for a worker to answer before reporting what Temporal stored. */
export const STATUS_QUERY_TIMEOUT_MS = 5_000

/**
 * A poller seen longer ago than this is gone: a live one polls again at least every long poll
 * (about a minute on the server). Temporal keeps listing a stopped worker's pollers for minutes.
 */
const POLLER_STALE_MS = 70_000

// temporal.api.enums.v1: TASK_QUEUE_KIND_NORMAL, TASK_QUEUE_TYPE_WORKFLOW (@temporalio/proto is not a dependency).
const TASK_QUEUE_KIND_NORMAL = 1
const TASK_QUEUE_TYPE_WORKFLOW = 1

/** Why no worker would answer on `taskQueue`, or null when a worker polled it within the last long poll. */
export async function missingWorker(client: Client, taskQueue: string): Promise<string | null> {
  const { pollers } = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: TASK_QUEUE_KIND_NORMAL },
    taskQueueType: TASK_QUEUE_TYPE_WORKFLOW,
  })
  const seen = pollers.map((poller) => Number(poller.lastAccessTime?.seconds ?? 0) * 1000)
  if (seen.some((at) => Date.now() - at < POLLER_STALE_MS)) return null
  return `no worker polls task queue ${taskQueue} (start one: chsync worker)`
}

function closedState(execution: string): string {
  // A sync workflow completes only after `chsync stop`.
  return execution === 'COMPLETED' ? 'stopped' : execution.toLowerCase()
}

async function queryStatus(client: Client, importKey: string, taskQueue: string): Promise<SyncStatus | string> {
  try {
    return await client.connection.withDeadline(Date.now() + STATUS_QUERY_TIMEOUT_MS, () =>
      syncHandle(client, importKey).query(statusQuery),
    )
  } catch (error) {
    const within = `within ${STATUS_QUERY_TIMEOUT_MS / 1000} s`
    return `no worker on task queue ${taskQueue} answered the status query ${within} (${messageOf(error)})`
  }
}

/**
 * The status of one model: the workflow's live status when a worker answers; otherwise what
 * Temporal stored (execution status, search attributes) and why no worker answered. Backlog and
 * dead letters always come from the storage, which needs no worker.
 */
export async function modelStatus(
  client: Client,
  storage: Storage,
  importKey: string,
  workerCheck: (taskQueue: string) => Promise<string | null>,
): Promise<ModelStatusReport> {
  const [deadLetters, range] = await Promise.all([storage.deadLetters(importKey), storage.backlogRange(importKey)])
  const base = { importKey, backlog: range.count, deadLetters }
  let description: WorkflowExecutionDescription
  try {
    description = await syncHandle(client, importKey).describe()
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error
    const notStarted = { state: 'not started', execution: null, status: null, lastSyncTime: null, noWorker: null }
    return { ...base, ...notStarted }
  }
  const execution = description.status.name
  const storedSyncTime = description.typedSearchAttributes.get(lastSyncTimeSearchAttribute)?.toISOString() ?? null
  if (execution !== 'RUNNING') {
    const closed = { state: closedState(execution), status: null, lastSyncTime: storedSyncTime, noWorker: null }
    return { ...base, execution, ...closed }
  }
  const missing = await workerCheck(description.taskQueue)
  const answer = missing ?? (await queryStatus(client, importKey, description.taskQueue))
  if (typeof answer !== 'string') {
    return {
      ...base,
      execution,
      state: answer.state,
      status: answer,
      lastSyncTime: answer.lastSyncTime,
      noWorker: null,
    }
  }
  // Written by the workflow after each round; absent until a worker ran its first round.
  const state = description.typedSearchAttributes.get(stateSearchAttribute) ?? 'pending'
  return { ...base, execution, state, status: null, lastSyncTime: storedSyncTime, noWorker: answer }
}
