import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { waitFor } from './outage-rig.js'
import { freePort } from './private-service.js'

/** How the server keeps its data: what a SIGKILL can lose differs. */
export type RedisPersistence =
  /** Append-only file fsynced once a second (scripts/services/redis.sh): loses what the OS had not yet been handed. */
  | 'aof-everysec'
  /** Snapshots only, one per second with a change: loses everything since the last snapshot. */
  | 'snapshots'

/**
 * A private redis-server run in the foreground as this process's child, so that a test can SIGKILL
 * it (a crash: no SHUTDOWN, no last fsync) and start it again on the same data directory.
 * PrivateService stops its Redis politely (SIGTERM: Redis fsyncs and loses nothing).
 */
export class CrashableRedis {
  private child: ChildProcess | null = null

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly persistence: RedisPersistence,
  ) {}

  static async start(persistence: RedisPersistence): Promise<CrashableRedis> {
    const redis = new CrashableRedis(await freePort(), mkdtempSync(join(tmpdir(), 'chsync-redis-crash-')), persistence)
    await redis.up()
    return redis
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`
  }

  /** Starts the server on its data directory and waits until it answers. */
  async up(): Promise<void> {
    const persistence =
      this.persistence === 'aof-everysec'
        ? ['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '']
        : ['--appendonly', 'no', '--save', '1 1']
    this.child = spawn(
      'redis-server',
      ['--bind', '127.0.0.1', '--port', String(this.port), '--dir', this.dir, ...persistence],
      { stdio: 'ignore' },
    )
    const probe = new Redis(this.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 })
    probe.on('error', () => undefined)
    try {
      await waitFor('the restarted redis-server', 30_000, async () => {
        if (probe.status !== 'ready') await probe.connect().catch(() => undefined)
        return (await probe.ping()) === 'PONG' ? true : undefined
      })
    } finally {
      probe.disconnect()
    }
  }

  /** SIGKILL: the server dies at once, keeping only what its persistence had written. */
  async crash(): Promise<void> {
    const child = this.child
    if (!child || child.exitCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
    this.child = null
  }

  async remove(): Promise<void> {
    await this.crash()
    rmSync(this.dir, { recursive: true, force: true })
  }
}
