import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import {
  openClickHouse,
  probeCapabilities,
  type ClickHouseCapabilities,
  type ClickHouseDatabase,
} from '../../src/clickhouse/index.js'
import { qualifiedTable } from '../../src/clickhouse/sql.js'
import { createTableStatement } from '../../src/models/ddl.js'
import type { Model } from '../../src/models/model.js'
import { benchHome, requireEnv } from './env.js'
import type { Target } from './options.js'

/** A ClickHouse a benchmark writes to: the stack's server, or embedded chDB in this process. */
export interface BenchTarget {
  kind: Target
  /** The URL a chsync config names (`http://…` or `chdb://<dir>`). */
  url: string
  db: ClickHouseDatabase
  capabilities: ClickHouseCapabilities
}

const opened = new Map<Target, Promise<BenchTarget>>()

/**
 * Opens a target once per process (chDB binds one data directory per process): the server's
 * `chsync_bench` database, or a fresh chDB directory under .chsync/bench/<benchmark>/.
 */
export function openTarget(kind: Target, benchmark: string): Promise<BenchTarget> {
  let target = opened.get(kind)
  if (!target) {
    target = open(kind, benchmark)
    opened.set(kind, target)
  }
  return target
}

async function open(kind: Target, benchmark: string): Promise<BenchTarget> {
  let url: string
  if (kind === 'server') url = requireEnv('CHSYNC_CLICKHOUSE_URL')
  else {
    const dir = join(benchHome(benchmark), 'chdb')
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    url = `chdb://${dir}`
  }
  const database = kind === 'server' ? 'chsync_bench' : 'bench'
  if (kind === 'server') {
    // The client names its database on every request: create it through one that does not.
    const admin = openClickHouse({ url, database: 'default' })
    await admin.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` })
    await admin.client.close()
  }
  const db = openClickHouse({ url, database })
  if (kind === 'chdb') await db.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` })
  return { kind, url, db, capabilities: await probeCapabilities(db) }
}

export async function closeTargets(): Promise<void> {
  for (const target of opened.values()) await (await target).db.client.close()
  opened.clear()
}

/** Drops and creates a model's table (the same DDL `chsync migrate` would run). */
export async function recreateTable(target: BenchTarget, model: Model, table = model.table): Promise<void> {
  const { db } = target
  await db.client.command({ query: `DROP TABLE IF EXISTS ${qualifiedTable(db.database, table)}` })
  const { sql, settings } = createTableStatement(
    table === model.table ? model : ({ ...model, table } as Model),
    target.capabilities,
    db.database,
  )
  await db.client.command({ query: sql, clickhouse_settings: settings })
}

export async function countRows(target: BenchTarget, table: string): Promise<number> {
  const result = await target.db.client.query({
    query: `SELECT count() AS c FROM ${qualifiedTable(target.db.database, table)}`,
    format: 'JSONEachRow',
  })
  const [row] = await result.json<{ c: string | number }>()
  return Number(row?.c ?? 0)
}

export function clickhouseVersions(targets: readonly BenchTarget[]): Record<string, string> {
  return Object.fromEntries(targets.map((target) => [target.kind, target.capabilities.version]))
}
