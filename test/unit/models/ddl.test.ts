import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.js'
import {
  bool,
  createTableSql,
  createTableStatement,
  decimal,
  defineModel,
  lowCardinality,
  map,
  mergeTree,
  replacingMergeTree,
  replicated,
  sql,
  string,
  tuple,
  uInt8,
  uInt64,
  array,
  nullable,
  dateTime,
} from '../../../src/models/index.js'
import { clickhouse18, clickhouse26 } from '../../fixtures/capabilities.js'
import { users } from '../../fixtures/models/users.js'

const events = defineModel({
  importKey: 'events',
  table: 'ev`ents',
  fields: {
    id: uInt64(),
    'created at': dateTime('UTC'),
    kind: string().default("it's").comment('event kind'),
    amount: decimal(18, 2).default(0).codec('ZSTD(1)'),
    tags: array(nullable(string())).default(['a', null]),
    point: tuple(uInt8(), string()).default([1, 'x']),
    attrs: map(string(), uInt64()).default({ a: '1' }),
    flag: uInt8().defaultSQL('1 + 1'),
  },
  engine: mergeTree({
    orderBy: ['id', sql`toDate(\`created at\`)`],
    partitionBy: sql`toYYYYMM(\`created at\`)`,
    primaryKey: ['id'],
    sampleBy: 'id',
    ttl: sql`\`created at\` + INTERVAL 1 YEAR`,
    settings: { index_granularity: 8192, storage_policy: 'default' },
  }),
  source: { table: 'events', primaryKey: ['id'] },
  deletes: 'ignore',
})

describe('createTableSql', () => {
  it('quotes every identifier and renders every clause, deterministically', () => {
    const ddl = createTableSql(events, clickhouse26, 'analytics')
    expect(ddl).toBe(
      [
        'CREATE TABLE IF NOT EXISTS `analytics`.`ev\\`ents`',
        '(',
        '    `id` UInt64,',
        "    `created at` DateTime('UTC'),",
        "    `kind` String DEFAULT 'it\\'s' COMMENT 'event kind',",
        '    `amount` Decimal(18, 2) DEFAULT 0 CODEC(ZSTD(1)),',
        "    `tags` Array(Nullable(String)) DEFAULT ['a', NULL],",
        "    `point` Tuple(UInt8, String) DEFAULT (1, 'x'),",
        "    `attrs` Map(String, UInt64) DEFAULT map('a', 1),",
        '    `flag` UInt8 DEFAULT 1 + 1',
        ')',
        'ENGINE = MergeTree',
        'PARTITION BY toYYYYMM(`created at`)',
        'PRIMARY KEY `id`',
        'ORDER BY (`id`, toDate(`created at`))',
        'SAMPLE BY `id`',
        'TTL `created at` + INTERVAL 1 YEAR',
        "SETTINGS index_granularity = 8192, non_replicated_deduplication_window = 1000, storage_policy = 'default'",
      ].join('\n'),
    )
    expect(createTableSql(events, clickhouse26, 'analytics')).toBe(ddl)
  })

  it('adds the deduplication window only where the server has it, and only to non-replicated tables', () => {
    expect(createTableSql(users, clickhouse26, 'db', { deduplicationWindow: 50 })).toContain(
      'SETTINGS non_replicated_deduplication_window = 50',
    )
    const replicatedUsers = defineModel({
      importKey: 'r',
      table: 'r',
      fields: { id: uInt64(), version: uInt64() },
      engine: replicated(replacingMergeTree({ orderBy: ['id'], version: 'version' })),
      source: { table: 'r', primaryKey: ['id'] },
    })
    expect(createTableSql(replicatedUsers, clickhouse26, 'db')).not.toContain('SETTINGS')
    const plain = defineModel({
      ...replicatedUsers,
      engine: replacingMergeTree({ orderBy: ['id'], version: 'version' }),
    })
    expect(createTableSql(plain, clickhouse18, 'db')).not.toContain('non_replicated_deduplication_window')
  })

  it('sends allow_experimental_low_cardinality_type to servers that need it', () => {
    const model = defineModel({
      importKey: 'lc',
      table: 'lc',
      fields: { id: uInt64(), country: lowCardinality(string()) },
      engine: mergeTree({ orderBy: ['id'] }),
      source: { table: 'lc', primaryKey: ['id'] },
      deletes: 'ignore',
    })
    expect(createTableStatement(model, clickhouse18, 'db').settings).toEqual({
      allow_experimental_low_cardinality_type: 1,
    })
    expect(createTableStatement(model, clickhouse26, 'db').settings).toEqual({})
  })

  it.each([
    { name: 'is_deleted before 23.2', model: users, message: /needs ClickHouse ≥ 23.2 \(server is 18.16.1\)/ },
    {
      name: 'a type the server lacks',
      model: defineModel({
        importKey: 'b',
        table: 'b',
        fields: { id: uInt64(), ok: bool() },
        engine: mergeTree({ orderBy: ['id'] }),
        source: { table: 'b', primaryKey: ['id'] },
      }),
      message: /column ok: ClickHouse 18.16.1 has no Bool type/,
    },
    { name: 'TTL and codecs on 18.x', model: events, message: /column amount: column codecs need ClickHouse ≥ 19.1/ },
  ])('refuses $name on the old server with a ConfigError', ({ model, message }) => {
    expect(() => createTableSql(model, clickhouse18, 'db')).toThrow(ConfigError)
    expect(() => createTableSql(model, clickhouse18, 'db')).toThrow(message)
  })
})
