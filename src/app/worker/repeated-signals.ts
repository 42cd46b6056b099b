const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const

/**
 * Keeps a repeated stop signal from killing the worker while it shuts down gracefully. The SDK stops
 * listening after the first SIGINT/SIGTERM, so the next one takes Node's default action (death by the
 * signal, in-flight activities cut off). Under `npm start` one Ctrl-C arrives twice: from the terminal
 * to the process group, and forwarded by npm. A repeat within `graceMs` of the first is that echo and
 * is ignored; a later one is a deliberate second Ctrl-C and forces the exit, as without this guard.
 * Returns the function that removes the guard.
 */
export function absorbRepeatedStopSignals(graceMs = 2000): () => void {
  let first: number | undefined
  const onSignal = (signal: NodeJS.Signals) => {
    if (first === undefined) {
      first = Date.now()
      return
    }
    if (Date.now() - first < graceMs) return
    remove()
    process.kill(process.pid, signal)
  }
  const remove = () => {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal)
  }
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal)
  return remove
}
