import { createHash } from 'node:crypto'
import type { Cluster, Redis } from 'ioredis'
import pg from 'pg'
import { REDIS_SCRIPTS } from '../../src/storages/redis/scripts.js'

/** Who made a round trip: the storage itself, the outbox relay of a Redis model, or the source fetch. */
export type RoundTripOwner = 'storage' | 'relay' | 'source'

export interface RoundTrip {
  service: 'redis' | 'postgres'
  owner: RoundTripOwner
  /** The command(s) or the statement's start, to read in a failure message. */
  what: string
}

interface SentCommand {
  name: string
  args: unknown[]
}

type SendCommand = (command: SentCommand, stream?: { isPipeline?: boolean }, node?: unknown) => unknown

/**
 * Counts real round trips to Redis and PostgreSQL while `counting` is on, as the clients send them:
 * a Redis command sent on its own is one, a pipeline or MULTI (however many commands it carries) is
 * one, and a PostgreSQL statement is one (node-postgres waits for each reply before the next). The
 * PostgreSQL side patches `pg.Client.prototype.query` for the whole process until `restore()`;
 * `classify` says whose each statement is.
 */
export class RoundTripCounter {
  readonly trips: RoundTrip[] = []
  counting = false
  private readonly restores: (() => void)[] = []
  private readonly scriptNames = new Map(
    Object.entries(REDIS_SCRIPTS).map(([name, script]) => [createHash('sha1').update(script.lua).digest('hex'), name]),
  )

  watchRedis(redis: Redis | Cluster): void {
    const target = redis as unknown as { sendCommand: SendCommand }
    const original = target.sendCommand
    const pipelines = new WeakMap<object, RoundTrip>()
    target.sendCommand = (command, stream, node) => {
      if (this.counting) {
        const name = this.commandName(command)
        const open = stream?.isPipeline ? pipelines.get(stream) : undefined
        if (open) open.what += ` ${name}`
        else {
          const trip: RoundTrip = { service: 'redis', owner: 'storage', what: name }
          this.trips.push(trip)
          if (stream?.isPipeline) pipelines.set(stream, trip)
        }
      }
      return original.call(redis, command, stream, node)
    }
    this.restores.push(() => {
      target.sendCommand = original
    })
  }

  watchPostgres(classify: (sql: string) => RoundTripOwner): void {
    const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }
    const original = prototype.query
    const record = (args: unknown[]) => {
      if (this.counting) {
        const first = args[0]
        const sql = typeof first === 'string' ? first : String((first as { text?: string }).text ?? '')
        const what = sql.replace(/\s+/g, ' ').trim().slice(0, 80)
        this.trips.push({ service: 'postgres', owner: classify(sql), what })
      }
    }
    prototype.query = function (this: unknown, ...args: unknown[]) {
      record(args)
      return original.apply(this, args)
    }
    this.restores.push(() => {
      prototype.query = original
    })
  }

  /** The trips of one service and owner, e.g. `count('redis', 'storage')`. */
  count(service: RoundTrip['service'], owner: RoundTripOwner): number {
    return this.list(service, owner).length
  }

  list(service: RoundTrip['service'], owner: RoundTripOwner): string[] {
    return this.trips.filter((trip) => trip.service === service && trip.owner === owner).map((trip) => trip.what)
  }

  reset(): void {
    this.trips.length = 0
  }

  restore(): void {
    for (const restore of this.restores.splice(0).reverse()) restore()
  }

  private commandName(command: SentCommand): string {
    if (command.name === 'evalsha' || command.name === 'eval') {
      const script = String(command.args[0])
      const name = this.scriptNames.get(
        command.name === 'eval' ? createHash('sha1').update(script).digest('hex') : script,
      )
      return name ?? command.name
    }
    return command.name
  }
}
