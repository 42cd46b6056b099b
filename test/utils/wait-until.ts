import { messageOf } from '../../src/errors.js'

/**
 * Polls `check` until it returns a truthy value (returned) or `timeoutMs` passes (throws, naming
 * `what`). A check that throws counts as not yet: a service being restarted answers with errors.
 * For waiting on a condition instead of sleeping and hoping.
 */
export async function waitUntil<T>(what: string, check: () => T | Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await check()
      if (value) return value
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (last error: ${messageOf(last)})` : ''}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
