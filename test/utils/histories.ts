import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { WorkflowHandle } from '@temporalio/client'
import { requireEnv } from './services-env.js'

/** Recorded workflow histories that the replay test feeds back through the current workflow code. */
export const replayDir = fileURLToPath(new URL('../fixtures/replay/', import.meta.url))

/**
 * Saves a finished run's history as test/fixtures/replay/<scenario>.json — only when
 * CHSYNC_RECORD_HISTORIES=1, i.e. when a release deliberately re-records the fixtures. The
 * `temporal` CLI writes it, in the JSON form every Temporal tool reads.
 */
export function recordHistory(handle: WorkflowHandle, scenario: string): void {
  if (process.env.CHSYNC_RECORD_HISTORIES !== '1') return
  const json = execFileSync(requireEnv('CHSYNC_TEMPORAL_BIN'), [
    'workflow',
    'show',
    '--workflow-id',
    handle.workflowId,
    '--address',
    requireEnv('CHSYNC_TEMPORAL_ADDRESS'),
    '--output',
    'json',
  ])
  writeFileSync(`${replayDir}${scenario}.json`, json)
}

/** The recorded histories as JSON; `Worker.runReplayHistory` converts the JSON form itself. */
export function recordedHistories(): { scenario: string; history: unknown }[] {
  return readdirSync(replayDir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => ({
      scenario: file.replace(/\.json$/, ''),
      history: JSON.parse(readFileSync(`${replayDir}${file}`, 'utf8')) as unknown,
    }))
}
