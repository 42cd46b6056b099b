// The live progress line: per model what the writer wrote, what the workflow synced, what waits in
// the storage and for how long, and the overall sync rate. Rewritten in place on a terminal; plain
// lines every few seconds otherwise (CI logs, pipes).
import { statusQuery, syncHandle } from '../../dist/src/index.js'

const number = new Intl.NumberFormat('en-US')
const PLAIN_EVERY_MS = 5_000

/**
 * What one model's numbers are right now. `storages` are where its operations wait: for a Redis model
 * Redis and then the outbox the triggers write to (each round relays the outbox into Redis).
 */
async function modelProgress(client, importKey, storages, baseline) {
  const status = await syncHandle(client, importKey).query(statusQuery)
  // One after the other, in the order given: an operation the relay moves between the two reads is
  // then missed for a second rather than counted twice.
  const backlogs = []
  for (const storage of storages) backlogs.push(await storage.backlog(importKey))
  const ages = backlogs.map((backlog) => backlog.oldestAgeMs).filter((age) => age !== null)
  return {
    synced: status.operationsSynced - baseline,
    backlog: backlogs.reduce((sum, backlog) => sum + backlog.size, 0),
    lagMs: ages.length > 0 ? Math.max(...ages) : 0,
  }
}

/** Each model's operations synced so far, for counting from the demo's start (a workflow may be older). */
export async function syncedBaseline(client, models) {
  const baseline = {}
  for (const model of models) {
    baseline[model.importKey] = (await syncHandle(client, model.importKey).query(statusQuery)).operationsSynced
  }
  return baseline
}

/**
 * Starts printing progress every second; returns a function that prints the last line and stops.
 * `models`: `{ importKey, label, storages }`; `written`: changed rows per label, kept up to date by the writer.
 */
export function showProgress({ client, models, baseline, written, startedAt, out = process.stdout }) {
  const tty = out.isTTY === true
  let last = { at: Date.now(), synced: 0 }
  let rate = 0
  let lastPrinted = 0
  let busy = false
  const render = async (final = false) => {
    if (busy) return
    busy = true
    try {
      const parts = []
      let synced = 0
      for (const model of models) {
        const progress = await modelProgress(client, model.importKey, model.storages, baseline[model.importKey])
        synced += progress.synced
        parts.push(
          `${model.label}: ${number.format(written[model.label])} written, ${number.format(progress.synced)} synced, ` +
            `${number.format(progress.backlog)} backlog, lag ${(progress.lagMs / 1000).toFixed(1)}s`,
        )
      }
      const now = Date.now()
      // Over the last second or more: the final line, drawn right after a tick, would divide by almost nothing.
      if (now - last.at >= 1_000) {
        rate = ((synced - last.synced) * 1000) / (now - last.at)
        last = { at: now, synced }
      }
      // The rate first: a narrow terminal cuts the end of the line.
      const line = `${Math.round((now - startedAt) / 1000)}s  ${number.format(Math.round(rate))} rows/s │ ${parts.join(' │ ')}`
      if (tty) out.write(`\r\x1b[2K${line.slice(0, (out.columns ?? 200) - 1)}`)
      else if (final || now - lastPrinted >= PLAIN_EVERY_MS) {
        out.write(`  ${line}\n`)
        lastPrinted = now
      }
    } catch {
      // A status query can miss a beat (the worker is busy or restarting); the next tick shows the numbers.
    } finally {
      busy = false
    }
  }
  const timer = setInterval(() => void render(), 1_000)
  return async function stop() {
    clearInterval(timer)
    while (busy) await new Promise((resolve) => setTimeout(resolve, 50))
    await render(true)
    if (tty) out.write('\n')
  }
}
