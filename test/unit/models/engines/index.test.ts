import { describe, expect, it } from 'vitest'
import {
  aggregatingMergeTree,
  collapsingMergeTree,
  engineSQL,
  isEngineKind,
  mergeTree,
  replacingMergeTree,
  replicated,
  summingMergeTree,
  versionedCollapsingMergeTree,
  versionColumnOf,
} from '../../../../src/models/engines/index.js'

describe('engineSQL', () => {
  it.each([
    { name: 'MergeTree', engine: mergeTree({ orderBy: ['id'] }), sql: 'MergeTree' },
    {
      name: 'ReplacingMergeTree',
      engine: replacingMergeTree({ orderBy: ['id'], version: 'v' }),
      sql: 'ReplacingMergeTree(`v`)',
    },
    {
      name: 'ReplacingMergeTree with is_deleted',
      engine: replacingMergeTree({ orderBy: ['id'], version: 'v', isDeleted: 'd' }),
      sql: 'ReplacingMergeTree(`v`, `d`)',
    },
    {
      name: 'CollapsingMergeTree',
      engine: collapsingMergeTree({ orderBy: ['id'], sign: 's' }),
      sql: 'CollapsingMergeTree(`s`)',
    },
    {
      name: 'VersionedCollapsingMergeTree',
      engine: versionedCollapsingMergeTree({ orderBy: ['id'], sign: 's', version: 'v' }),
      sql: 'VersionedCollapsingMergeTree(`s`, `v`)',
    },
    {
      name: 'SummingMergeTree with columns',
      engine: summingMergeTree({ orderBy: ['id'], columns: ['a', 'b'] }),
      sql: 'SummingMergeTree((`a`, `b`))',
    },
    { name: 'AggregatingMergeTree', engine: aggregatingMergeTree({ orderBy: ['id'] }), sql: 'AggregatingMergeTree' },
    {
      name: 'a Replicated variant with default paths',
      engine: replicated(replacingMergeTree({ orderBy: ['id'], version: 'v' })),
      sql: "ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', `v`)",
    },
    {
      name: 'a Replicated variant with its own path',
      engine: replicated(mergeTree({ orderBy: ['id'] }), { zooKeeperPath: "/ch/it's" }),
      sql: "ReplicatedMergeTree('/ch/it\\'s', '{replica}')",
    },
  ])('renders $name', ({ engine, sql }) => {
    expect(engineSQL(engine)).toBe(sql)
  })

  it('knows which engines carry a version column', () => {
    expect(versionColumnOf(replacingMergeTree({ orderBy: [], version: 'v' }))).toBe('v')
    expect(versionColumnOf(mergeTree({ orderBy: [] }))).toBeUndefined()
    expect(isEngineKind('ReplacingMergeTree')).toBe(true)
    expect(isEngineKind('Log')).toBe(false)
  })
})
