import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)

/** The environment variables `scripts/services.sh` takes each service's ports from. */
const PORT_VARIABLES = {
  postgres: ['CHSYNC_PG_PORT'],
  redis: ['CHSYNC_REDIS_PORT'],
  clickhouse: ['CHSYNC_CLICKHOUSE_HTTP_PORT', 'CHSYNC_CLICKHOUSE_TCP_PORT', 'CHSYNC_CLICKHOUSE_INTERSERVER_PORT'],
  temporal: ['CHSYNC_TEMPORAL_PORT', 'CHSYNC_TEMPORAL_UI_PORT'],
} as const

export type ServiceName = keyof typeof PORT_VARIABLES

/** A port nothing listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (!address || typeof address === 'string') throw new Error('no port from the OS')
  return address.port
}

/**
 * A private instance of one service of the local stack, started by `scripts/services.sh` with its own
 * CHSYNC_HOME and free ports: the thing a fault test may stop and restart, since the shared stack
 * serves other test files running at the same time. Its data persists under `home` across restarts.
 */
export class PrivateService {
  private constructor(
    readonly service: ServiceName,
    readonly home: string,
    private readonly env: Record<string, string>,
  ) {}

  static async create(service: ServiceName): Promise<PrivateService> {
    const env: Record<string, string> = { CHSYNC_HOME: mkdtempSync(join(tmpdir(), `chsync-${service}-`)) }
    for (const variable of PORT_VARIABLES[service]) env[variable] = String(await freePort())
    return new PrivateService(service, env.CHSYNC_HOME as string, env)
  }

  /** Starts the service (or finds it running) and waits until it answers. */
  async up(): Promise<void> {
    await this.run('up')
  }

  /** Stops it (SIGTERM, then SIGKILL after 20 s); its data stays. */
  async down(): Promise<void> {
    await this.run('down')
  }

  /**
   * Stops it, removes its data: for afterAll. PostgreSQL's folder may live outside `home`, linked
   * (where the postgres user cannot reach a private temp folder; scripts/services/postgres.sh).
   */
  async remove(): Promise<void> {
    await this.down()
    const linked = this.service === 'postgres' ? linkTarget(join(this.home, 'postgres')) : undefined
    if (linked) rmSync(linked, { recursive: true, force: true })
    rmSync(this.home, { recursive: true, force: true })
  }

  /** What `services.sh up` wrote for it, e.g. `CHSYNC_TEMPORAL_ADDRESS`. */
  setting(name: string): string {
    const line = readFileSync(join(this.home, 'services.env'), 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith(`${name}=`))
    if (!line) throw new Error(`${name} not in ${this.home}/services.env`)
    return line.slice(name.length + 1)
  }

  private async run(command: 'up' | 'down'): Promise<void> {
    await execFileAsync('bash', ['scripts/services.sh', command, this.service], {
      env: { ...process.env, ...this.env },
    })
  }
}

/** Where a symbolic link points, or undefined when `path` is not one. */
function linkTarget(path: string): string | undefined {
  try {
    return readlinkSync(path)
  } catch {
    return undefined
  }
}
