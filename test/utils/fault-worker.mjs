// The fault suite's worker: `chsync worker` (the built one, from dist/) with a fault hook that
// SIGKILLs the process at the point CHSYNC_CRASH_AT names, or with CHSYNC_CRASH_SIGNAL=SIGSTOP freezes
// it there (a paused VM, a blocked event loop) until the test sends SIGCONT — once: a woken worker
// runs on. Test-only: the production bin has no such switch. Started by test/utils/worker-process.ts.
import { workerCommand } from '../../dist/src/app/cli/worker.js'
import { messageOf } from '../../dist/src/errors.js'

let point = process.env.CHSYNC_CRASH_AT
const freeze = process.env.CHSYNC_CRASH_SIGNAL === 'SIGSTOP'

/** @param {string} reached */
function faults(reached) {
  if (reached !== point) return
  if (freeze) {
    point = undefined
    process.kill(process.pid, 'SIGSTOP')
  } else {
    process.kill(process.pid, 'SIGKILL')
  }
}

try {
  await workerCommand(faults).parseAsync(process.argv)
} catch (error) {
  console.error(`chsync: ${messageOf(error)}`)
  process.exitCode = 1
}
