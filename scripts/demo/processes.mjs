// The chsync processes the demo runs, exactly as a user would: one-shot `chsync …` commands, and a
// long-lived `chsync worker`.
import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)
const BIN = fileURLToPath(new URL('../../bin/chsync.js', import.meta.url))

/** Runs `chsync <args>` and prints the command and its output; fails with what it printed to stderr. */
export async function chsync(args, { env, quiet = false } = {}) {
  if (!quiet) console.log(`  $ chsync ${args.join(' ')}`)
  try {
    const { stdout } = await execFileAsync(process.execPath, [BIN, ...args], { env })
    if (!quiet) for (const line of stdout.trim().split('\n').filter(Boolean)) console.log(`    ${line}`)
    return stdout
  } catch (error) {
    const stderr = String(error.stderr ?? '').trim()
    throw new Error(
      `\`chsync ${args.join(' ')}\` failed (exit ${error.code ?? error.signal})${stderr ? `: ${stderr}` : ''}`,
    )
  }
}

/**
 * `chsync worker` as a child process, its output appended to `logFile`. It runs in a process group
 * of its own, so a Ctrl-C in the terminal reaches the demo only: the demo first stops the workflows
 * (which needs the worker), then the worker. If the demo itself ends any other way, the worker is
 * killed with it (`exit` handler), so no worker is left behind.
 */
export class WorkerChild {
  #child = null
  #output = ''

  constructor(args, { env, logFile }) {
    this.args = args
    this.env = env
    this.logFile = logFile
  }

  /** Starts the worker and resolves once it polls its task queue. */
  async start() {
    const log = createWriteStream(this.logFile, { flags: 'a' })
    const child = spawn(process.execPath, [BIN, 'worker', ...this.args], {
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    this.#child = child
    const killOnExit = () => child.kill('SIGKILL')
    process.on('exit', killOnExit)
    child.once('exit', () => {
      process.off('exit', killOnExit)
      log.end()
    })
    await new Promise((resolve, reject) => {
      const onData = (data) => {
        log.write(data)
        if (this.#output.length < 100_000) this.#output += data.toString()
        if (this.#output.includes('worker ready')) resolve()
      }
      child.stdout.on('data', onData)
      child.stderr.on('data', onData)
      child.once('exit', (code, signal) =>
        reject(
          new Error(
            `the worker exited (${code ?? signal}) before it was ready; its log: ${this.logFile}\n${this.#output.slice(-2000)}`,
          ),
        ),
      )
    })
    this.#output = ''
  }

  get pid() {
    return this.#child?.pid
  }

  get running() {
    return this.#child !== null && this.#child.exitCode === null && this.#child.signalCode === null
  }

  /** SIGINT, the graceful stop: in-flight activities finish first. Killed after `graceMs`. */
  async stop(graceMs = 60_000) {
    const child = this.#child
    this.#child = null
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    const exited = once(child, 'exit')
    child.kill('SIGINT')
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
    try {
      await exited
    } finally {
      clearTimeout(timer)
    }
  }
}
