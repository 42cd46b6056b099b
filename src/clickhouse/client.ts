import { createRequire } from 'node:module'
import { createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client'
import type * as ChdbConnectionExports from 'chdb/connection'
import { ConfigError, messageOf } from '../errors.js'
import { ClickHouseClientLogger } from './client-logger.js'
import { embeddedDirectoryHolder } from './embedded-holder.js'
import { redactUrl } from '../redact.js'

/** How to reach one ClickHouse database: a server over HTTP(S) or the embedded engine (chDB). */
export interface ClickHouseTarget {
  /**
   * `http(s)://[user:password@]host:port[/database]` for a server, `chdb://<dir>` or `chdb://:memory:`
   * for the embedded engine.
   */
  url: string
  /** Database the target's tables live in. @default the URL's path, else `default` */
  database?: string
  /** Overrides the URL's user. @default the URL's user, else `default` */
  username?: string
  /** Overrides the URL's password. Never logged. */
  password?: string
  /** Settings sent with every query. */
  settings?: ClickHouseSettings
  /**
   * HTTP request timeout. Inserts go in chunks of a few MB, well inside the client's default; raise it
   * together with `send_progress_in_http_headers` for long queries behind a load balancer.
   * @default 30000 (the client's default)
   */
  requestTimeoutMs?: number
}

/** An open ClickHouse database: the official client plus what chsync must know to address it. */
export interface ClickHouseDatabase {
  client: ClickHouseClient
  /** Database every statement qualifies its tables with. */
  database: string
  /** `server` (HTTP) or `embedded` (chDB in this process). */
  kind: 'server' | 'embedded'
  /** The URL with its password masked: safe for logs and errors. */
  displayUrl: string
  /**
   * Embedded only: chDB's zero-copy insert of a formatted payload (the client's `exec` path builds
   * one SQL string of statement and payload, ~4× slower for a 10,000-row chunk). Use `insertPayload`.
   */
  rawInsert?: ChdbExtension['rawInsert']
}

const EMBEDDED_SCHEME = 'chdb:'

function isEmbeddedUrl(url: string): boolean {
  return url.startsWith(`${EMBEDDED_SCHEME}//`)
}

/**
 * One client factory for both targets, so the rest of chsync runs the same client code on a server
 * and on embedded ClickHouse. The embedded engine binds one data directory per process: opening a
 * second directory throws a `ConfigError` naming both.
 */
export function openClickHouse(target: ClickHouseTarget): ClickHouseDatabase {
  return isEmbeddedUrl(target.url) ? openEmbedded(target) : openServer(target)
}

function openServer(target: ClickHouseTarget): ClickHouseDatabase {
  let url: URL
  try {
    url = new URL(target.url)
  } catch {
    throw new ConfigError(`ClickHouse URL ${JSON.stringify(redactUrl(target.url))} is not a valid URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(
      `ClickHouse URL ${redactUrl(target.url)} must start with http://, https:// or chdb:// (got ${url.protocol}//)`,
    )
  }
  const database = target.database ?? (decodeURIComponent(url.pathname.replace(/^\/+/, '')) || 'default')
  const username = target.username ?? (decodeURIComponent(url.username) || 'default')
  const password = target.password ?? decodeURIComponent(url.password)
  const base = `${url.protocol}//${url.host}`
  const client = createClient({
    url: base,
    username,
    password,
    database,
    request_timeout: target.requestTimeoutMs,
    clickhouse_settings: target.settings,
    application: 'chsync',
    log: { LoggerClass: ClickHouseClientLogger },
  })
  return { client, database, kind: 'server', displayUrl: `${base}/${database}` }
}

/** `chdb/connection` is an optional dependency: loaded only when an embedded target is opened. */
type ClientConnection = NonNullable<Parameters<typeof createClient>[0]>['connection']
type ChdbConnectionModule = typeof ChdbConnectionExports
type ChdbExtension = ReturnType<ChdbConnectionModule['createChdbConnection']>['chdb']
let chdbConnection: ChdbConnectionModule | undefined

function loadChdb(): ChdbConnectionModule {
  if (!chdbConnection) {
    try {
      chdbConnection = createRequire(import.meta.url)('chdb/connection') as ChdbConnectionModule
    } catch (error) {
      throw new ConfigError(
        `embedded ClickHouse needs the optional package "chdb" (npm install chdb): ${messageOf(error)}`,
        {},
        { cause: error },
      )
    }
  }
  return chdbConnection
}

function openEmbedded(target: ClickHouseTarget): ClickHouseDatabase {
  const path = target.url.slice(`${EMBEDDED_SCHEME}//`.length)
  if (!path)
    throw new ConfigError(`ClickHouse URL ${target.url} names no directory (use chdb://<dir> or chdb://:memory:)`)
  let connection
  try {
    connection = loadChdb().createChdbConnection({ path })
  } catch (error) {
    if (error instanceof ConfigError) throw error
    const holder = embeddedDirectoryHolder(path)
    if (holder)
      throw new ConfigError(
        `cannot open embedded ClickHouse at ${path}: the directory is held by process ${holder.pid}` +
          `${holder.startedAt ? ` (started ${holder.startedAt})` : ''}, and one process at a time can hold it — ` +
          'stop that process (a worker or the demo?), give this one another chdb:// directory, or use a ClickHouse server',
        {},
        { cause: error },
      )
    throw new ConfigError(
      `cannot open embedded ClickHouse at ${path}: ${messageOf(error)} ` +
        '(one process can hold one embedded data directory; put several aliases in one directory as databases)',
      {},
      { cause: error },
    )
  }
  const database = target.database ?? 'default'
  // chdb types its connection against its own copy of @clickhouse/client-common; the shapes are the
  // same interface (the hook it was written for), only the declaration files differ.
  // Quote 64-bit integers in JSON as servers do by default, so rows read the same from both targets.
  const client = createClient({
    connection: connection as unknown as ClientConnection,
    log: { LoggerClass: ClickHouseClientLogger },
    clickhouse_settings: { output_format_json_quote_64bit_integers: 1, ...target.settings },
  })
  const { chdb } = connection
  return {
    client,
    database,
    kind: 'embedded',
    displayUrl: `${target.url}/${database}`,
    rawInsert: (params) => chdb.rawInsert(params),
  }
}
