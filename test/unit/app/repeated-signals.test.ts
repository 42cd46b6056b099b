import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'

/**
 * The guard in a real process with real signals. A stand-in for the Temporal SDK's shutdown hook
 * does what the SDK does (stops listening on the first signal, then shuts down), so the second SIGINT
 * of one npm-forwarded Ctrl-C meets only the guard. Runs the built module (npm test builds first).
 */
function spawnWorkerLike(graceMs: number) {
  const module = pathToFileURL(resolve('dist/src/app/worker/repeated-signals.js')).href
  const script = `
    const { absorbRepeatedStopSignals } = await import(${JSON.stringify(module)})
    const sdkHook = () => {
      process.off('SIGINT', sdkHook)
      console.log('shutting down')
      // A graceful shutdown that takes a while: in-flight activities finish.
      setTimeout(() => { release(); console.log('stopped') }, 1500)
    }
    process.on('SIGINT', sdkHook)
    const release = absorbRepeatedStopSignals(${graceMs})
    console.log('ready')
    // Alive until the test closes stdin, then exits 0.
    process.stdin.resume()
    process.stdin.on('end', () => process.exit(0))`
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] })
  let output = ''
  const waiting: { text: string; done: () => void }[] = []
  child.stdout.on('data', (data: Buffer) => {
    output += data.toString()
    for (const wait of waiting.filter((w) => output.includes(w.text))) wait.done()
  })
  const saw = (text: string) =>
    new Promise<void>((done) => (output.includes(text) ? done() : waiting.push({ text, done })))
  return { child, saw, output: () => output }
}

describe('absorbRepeatedStopSignals', () => {
  it('lets a graceful shutdown finish when the Ctrl-C is echoed within the grace time', async () => {
    const { child, saw, output } = spawnWorkerLike(2000)
    await saw('ready')
    child.kill('SIGINT')
    await saw('shutting down')
    child.kill('SIGINT')
    await saw('stopped')
    const exited = once(child, 'exit')
    child.stdin.end()
    const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null]
    expect({ code, signal, output: output() }).toMatchObject({ code: 0, signal: null })
  }, 20_000)

  it('still forces the exit on a deliberate second Ctrl-C after the grace time', async () => {
    const { child, saw } = spawnWorkerLike(0)
    await saw('ready')
    child.kill('SIGINT')
    await saw('shutting down')
    const exited = once(child, 'exit')
    child.kill('SIGINT')
    const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null]
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGINT' })
  }, 20_000)
})
