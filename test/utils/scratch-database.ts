import { afterAll, beforeAll } from 'vitest'
import {
  probeCapabilities,
  quoteIdentifier,
  type ClickHouseCapabilities,
  type ClickHouseDatabase,
} from '../../src/clickhouse/index.js'
import { uniqueName } from './names.js'

/**
 * A database of its own on a ClickHouse target for one describe block: created before its tests,
 * dropped after, with the server's capabilities probed. Call inside `describe`.
 */
export function scratchDatabase(open: (database?: string) => ClickHouseDatabase, prefix: string) {
  const database = uniqueName(prefix)
  const admin = open()
  const scratch = { database, admin, db: open(database), capabilities: undefined as unknown as ClickHouseCapabilities }
  beforeAll(async () => {
    scratch.capabilities = await probeCapabilities(admin)
    await admin.client.command({ query: `CREATE DATABASE ${quoteIdentifier(database)}` })
  })
  afterAll(async () => {
    await admin.client.command({ query: `DROP DATABASE IF EXISTS ${quoteIdentifier(database)}` })
    await Promise.all([admin.client.close(), scratch.db.client.close()])
  })
  return scratch
}
