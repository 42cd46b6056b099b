import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'

/**
 * A real `chsync worker` in its own process, for e2e tests that kill it. It runs the built bin
 * (npm test builds first), or with CHSYNC_CRASH_AT the fault suite's entry (fault-worker.mjs), with the given config file, and its output is kept for failure messages.
 */
export class WorkerProcess {
  private child: ChildProcess | null = null
  private output = ''
  starts = 0

  constructor(
    private readonly args: string[],
    private readonly env: Record<string, string> = {},
  ) {}

  /** Starts the worker and resolves once it logged that it is polling its task queue. */
  async start(): Promise<void> {
    if (this.child) throw new Error('worker already running')
    // A crash point needs the test-only entry that injects the fault hook; otherwise the real bin.
    const entry = this.env.CHSYNC_CRASH_AT ? ['test/utils/fault-worker.mjs'] : ['bin/chsync.js', 'worker']
    const child = spawn(process.execPath, [...entry, ...this.args], {
      env: { CHSYNC_LOG_LEVEL: process.env.CHSYNC_LOG_LEVEL ?? 'info', ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.child = child
    this.starts += 1
    const ready = new Promise<void>((resolve, reject) => {
      const onData = (data: Buffer) => {
        this.output += data.toString()
        if (this.output.includes('worker ready')) resolve()
      }
      child.stdout?.on('data', onData)
      child.stderr?.on('data', onData)
      child.once('exit', (code, signal) =>
        reject(new Error(`worker exited (${code ?? signal}) before ready:\n${this.tail()}`)),
      )
    })
    await ready
  }

  /** Resolves when the worker process ended by itself (a crash point), with its signal. */
  async exited(timeoutMs: number): Promise<NodeJS.Signals | null> {
    const child = this.child
    if (!child) throw new Error('worker not running')
    if (child.exitCode !== null || child.signalCode !== null) return child.signalCode
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`worker still running after ${timeoutMs} ms:\n${this.tail()}`)),
        timeoutMs,
      )
    })
    try {
      const [, signal] = (await Promise.race([once(child, 'exit'), timeout])) as [number | null, NodeJS.Signals | null]
      this.child = null
      return signal
    } finally {
      clearTimeout(timer)
    }
  }

  /** SIGKILL: no cleanup, no graceful shutdown — the crash chsync must survive. */
  async kill(): Promise<void> {
    await this.stop('SIGKILL')
  }

  /**
   * Graceful stop (SIGTERM): in-flight activities finish first. After `graceMs` the process is
   * killed instead — a worker whose activities hang (a failing test) must not hang the teardown.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 60_000): Promise<void> {
    const child = this.child
    if (!child) return
    this.child = null
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = once(child, 'exit')
    child.kill(signal)
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
    try {
      await exited
    } finally {
      clearTimeout(timer)
    }
  }

  /** The process id, naming the worker in Temporal (its identity is `<pid>@<host>`). */
  get pid(): number | undefined {
    return this.child?.pid
  }

  get running(): boolean {
    return this.child !== null
  }

  /** Whether the process is still alive (not exited on its own since it was started). */
  get alive(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null
  }

  /** Whether the process is stopped by SIGSTOP (a crash point with CHSYNC_CRASH_SIGNAL=SIGSTOP): Linux /proc state T. */
  get frozen(): boolean {
    const pid = this.child?.pid
    if (!pid || !this.alive) return false
    // The state follows the command name, which is in parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T')
  }

  /** SIGCONT: a frozen worker runs on from where it stopped. */
  wake(): void {
    this.child?.kill('SIGCONT')
  }

  /** Whether the worker printed `text` since it was created. */
  printed(text: string): boolean {
    return this.output.includes(text)
  }

  /** The last lines the worker printed, for assertion messages. */
  tail(lines = 40): string {
    return this.output.split('\n').slice(-lines).join('\n')
  }
}
