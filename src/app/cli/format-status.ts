import type { SyncStatus } from '../../../workflows/types.js'
import type { DeadLetter } from '../../storages/storage.js'

/** Human-readable status of one model, for `chsync status`. */
export function formatStatus(entry: {
  importKey: string
  status: SyncStatus | null
  deadLetters: DeadLetter[]
}): string {
  const { importKey, status, deadLetters } = entry
  const lines = [`${importKey}: ${status ? status.state : 'not started (chsync start ' + importKey + ')'}`]
  if (status) {
    lines.push(`  backlog ${status.backlog}, rounds ${status.rounds}, operations synced ${status.operationsSynced}`)
    if (status.lastBatch) {
      const b = status.lastBatch
      lines.push(`  last batch ${b.batchId}: ${b.size} operations, ${b.rows} rows in ${b.durationMs} ms at ${b.at}`)
    }
    if (status.blocked)
      lines.push(`  BLOCKED since ${status.blocked.at}: ${status.blocked.type}: ${status.blocked.message}`)
    else if (status.lastError)
      lines.push(`  last error ${status.lastError.at}: ${status.lastError.type}: ${status.lastError.message}`)
  }
  if (deadLetters.length > 0) {
    lines.push(`  dead letters: ${deadLetters.length} (chsync retry-dead ${importKey})`)
    for (const letter of deadLetters.slice(0, 5)) {
      lines.push(`    ${letter.operation.kind} ${letter.operation.key}: ${letter.error}`)
    }
  }
  return lines.join('\n')
}
