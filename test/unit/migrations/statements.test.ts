import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../../src/config/index.js'
import { alterTable, createTable, dropTable, operationAliases, runSQL } from '../../../src/migrations/index.js'
import { defineModel, mergeTree, replicated, uInt64 } from '../../../src/models/index.js'

const events = defineModel({
  importKey: 'events',
  table: 'events',
  fields: { id: uInt64() },
  engine: replicated(mergeTree({ orderBy: ['id'] })),
  source: { table: 'events', primaryKey: ['id'] },
  deletes: 'ignore',
})
const all = ['r1', 'r2', 'other', 'ro']
const config = parseConfig(
  {
    databases: {
      r1: { url: 'http://r1', database: 'a', cluster: 'main' },
      r2: { url: 'http://r2', database: 'a', cluster: 'main' },
      other: { url: 'http://o', database: 'a' },
      ro: { url: 'http://ro', database: 'a', readonly: true },
    },
    postgres: { url: 'postgres://x@h/x' },
    router: { defaults: { migrateReplicatedAliases: all, migrateNonReplicatedAliases: all } },
    models: [events],
  },
  { env: {} },
)

describe('operationAliases', () => {
  it.each([
    {
      name: 'CREATE of a replicated table on every replica',
      operation: createTable('events'),
      aliases: ['r1', 'r2', 'other'],
    },
    { name: 'ALTER of a replicated table once per cluster', operation: alterTable(events), aliases: ['r1', 'other'] },
    { name: 'DROP on every alias', operation: dropTable(events), aliases: ['r1', 'r2', 'other'] },
    {
      name: 'replicated raw SQL once per cluster',
      operation: runSQL('SELECT 1', { replicated: true }),
      aliases: ['r1', 'other'],
    },
    { name: 'raw SQL on named aliases', operation: runSQL('SELECT 1', { aliases: ['r2', 'ro'] }), aliases: ['r2'] },
  ])('runs $name', ({ operation, aliases }) => {
    expect(operationAliases(config, operation)).toEqual(aliases)
  })
})
