import { describe, expect, it } from 'vitest'
import type { DatabaseConfig } from '../../../src/config/index.js'
import { ConfigError } from '../../../src/errors.js'
import { defineModel, mergeTree, replicated, uInt64 } from '../../../src/models/index.js'
import { migrateAliases, readAlias, resolveRouting, writeAliases } from '../../../src/routing/index.js'

const model = (table: string, options: { replicated?: boolean; routing?: object } = {}) =>
  defineModel({
    importKey: table,
    table,
    fields: { id: uInt64() },
    engine: options.replicated ? replicated(mergeTree({ orderBy: ['id'] })) : mergeTree({ orderBy: ['id'] }),
    source: { table, primaryKey: ['id'] },
    deletes: 'ignore',
    ...(options.routing ? { routing: options.routing } : {}),
  })

const databases: Record<string, DatabaseConfig> = {
  default: { url: 'chdb://x', database: 'a' },
  s1: { url: 'http://s1', database: 'a', cluster: 'main' },
  s2: { url: 'http://s2', database: 'a', cluster: 'main' },
  s3: { url: 'http://s3', database: 'a' },
  ro: { url: 'http://ro', database: 'a', readonly: true },
  nomigrate: { url: 'http://nm', database: 'a', migrate: false },
}

describe('resolveRouting', () => {
  it('falls back to the default alias for every list', () => {
    expect(resolveRouting(model('a'), { databases, router: {} })).toEqual({
      readAliases: ['default'],
      writeAliases: ['default'],
      migrateReplicatedAliases: ['default'],
      migrateNonReplicatedAliases: ['default'],
    })
  })

  it('prefers the router function, then the model, then the config defaults', () => {
    const m = model('a', { routing: { writeAliases: ['s1', 's3'], readAliases: ['s3'] } })
    const router = { defaults: { readAliases: ['s2'], migrateNonReplicatedAliases: ['s2'] } }
    expect(resolveRouting(m, { databases, router })).toMatchObject({
      readAliases: ['s3'],
      writeAliases: ['s1', 's3'],
      migrateNonReplicatedAliases: ['s2'],
    })
    const route = () => ({ writeAliases: ['s2'] })
    expect(writeAliases(m, { databases, router: { ...router, route } })).toEqual(['s2'])
    expect(readAlias(m, { databases, router })).toBe('s3')
  })

  it.each([
    {
      name: 'an unknown alias',
      routing: { readAliases: ['nope'] },
      message: /names database alias nope, which is not configured/,
    },
    { name: 'a readonly write alias', routing: { writeAliases: ['ro'] }, message: /write alias ro is readonly/ },
  ])('rejects $name', ({ routing, message }) => {
    expect(() => resolveRouting(model('a', { routing }), { databases, router: {} })).toThrow(ConfigError)
    expect(() => resolveRouting(model('a', { routing }), { databases, router: {} })).toThrow(message)
  })
})

describe('migrateAliases', () => {
  const all = ['s1', 's2', 's3', 'ro', 'nomigrate']
  const routing = { migrateReplicatedAliases: all, migrateNonReplicatedAliases: all }

  it('runs an ALTER of a replicated table once per cluster, everything else on every alias, never on readonly ones', () => {
    const config = { databases, router: {} }
    expect(migrateAliases(model('r', { replicated: true, routing }), config, 'alter')).toEqual(['s1', 's3'])
    expect(migrateAliases(model('r', { replicated: true, routing }), config, 'create')).toEqual(['s1', 's2', 's3'])
    expect(migrateAliases(model('n', { routing }), config, 'alter')).toEqual(['s1', 's2', 's3'])
    expect(migrateAliases(model('n', { routing }), config)).toEqual(['s1', 's2', 's3'])
  })
})
