import type { ModelStatusReport } from './model-status.js'

/** Human-readable status of one model, for `chsync status`. */
export function formatStatus(report: ModelStatusReport): string {
  const { importKey, state, status, noWorker, deadLetters } = report
  const hint = { 'not started': ` (chsync start ${importKey})`, stopped: ` (chsync start ${importKey} runs it again)` }
  const lines = [`${importKey}: ${state}${hint[state as keyof typeof hint] ?? ''}`]
  if (noWorker) lines.push(`  ${noWorker}; state as of the workflow's last round`)
  lines.push(
    status
      ? `  backlog ${report.backlog}, rounds ${status.rounds}, operations synced ${status.operationsSynced}`
      : `  backlog ${report.backlog}, last sync ${report.lastSyncTime ?? 'never'}`,
  )
  if (status?.lastBatch) {
    const b = status.lastBatch
    lines.push(`  last batch ${b.batchId}: ${b.size} operations, ${b.rows} rows in ${b.durationMs} ms at ${b.at}`)
  }
  if (status?.blocked)
    lines.push(`  BLOCKED since ${status.blocked.at}: ${status.blocked.type}: ${status.blocked.message}`)
  else if (status?.lastError)
    lines.push(`  last error ${status.lastError.at}: ${status.lastError.type}: ${status.lastError.message}`)
  if (deadLetters.length > 0) {
    lines.push(`  dead letters: ${deadLetters.length} (chsync retry-dead ${importKey})`)
    for (const letter of deadLetters.slice(0, 5)) {
      lines.push(`    ${letter.operation.kind} ${letter.operation.key}: ${letter.error}`)
    }
  }
  return lines.join('\n')
}
