import { describe, expect, it } from 'vitest'
import { backfillRowRule } from '../../../src/backfill/version-rule.js'
import { ConfigError } from '../../../src/errors.js'
import {
  aggregatingMergeTree,
  collapsingMergeTree,
  defineModel,
  int8,
  mergeTree,
  replacingMergeTree,
  summingMergeTree,
  uInt64,
  uInt8,
  versionedCollapsingMergeTree,
  type Engine,
} from '../../../src/models/index.js'

const fields = { id: uInt64(), version: uInt64(), sign: int8(), is_deleted: uInt8(), updated_seq: uInt64() }

function model(engine: Engine<keyof typeof fields>, options: { sourceVersion?: boolean } = {}) {
  return defineModel({
    importKey: 'm',
    table: 'm',
    fields,
    engine,
    source: { table: 'm', primaryKey: ['id'] },
    deletes: 'ignore',
    ...(options.sourceVersion ? { version: { column: 'updated_seq' } } : {}),
  })
}

describe('backfillRowRule', () => {
  it.each([
    {
      name: 'ReplacingMergeTree(version, is_deleted)',
      engine: replacingMergeTree({ orderBy: ['id'], version: 'version', isDeleted: 'is_deleted' }),
      rule: { excludeHeldKeys: false },
    },
    {
      name: 'CollapsingMergeTree(sign) with a version column',
      engine: collapsingMergeTree({ orderBy: ['id'], sign: 'sign', version: 'version' }),
      rule: { excludeHeldKeys: true },
    },
    {
      name: 'CollapsingMergeTree(sign) without a version column',
      engine: collapsingMergeTree({ orderBy: ['id'], sign: 'sign' }),
      rule: { excludeHeldKeys: true },
    },
    {
      name: 'VersionedCollapsingMergeTree',
      engine: versionedCollapsingMergeTree({ orderBy: ['id'], sign: 'sign', version: 'version' }),
      rule: { excludeHeldKeys: true },
    },
    { name: 'MergeTree', engine: mergeTree({ orderBy: ['id'] }), rule: { excludeHeldKeys: false } },
  ])('accepts $name, holding the lock only for collapsing engines', ({ engine, rule }) => {
    expect(backfillRowRule(model(engine))).toEqual(rule)
  })

  it("accepts a ReplacingMergeTree whose version comes from the model's source column", () => {
    const engine = replacingMergeTree({ orderBy: ['id'], version: 'version' })
    expect(backfillRowRule(model(engine, { sourceVersion: true }))).toEqual({ excludeHeldKeys: false })
  })

  it.each([
    {
      name: 'ReplacingMergeTree without a version',
      engine: replacingMergeTree({ orderBy: ['id'] }),
      why: /inserted last/,
    },
    { name: 'SummingMergeTree', engine: summingMergeTree({ orderBy: ['id'] }), why: /would add/ },
    { name: 'AggregatingMergeTree', engine: aggregatingMergeTree({ orderBy: ['id'] }), why: /would add/ },
  ])('refuses $name with a ConfigError naming the model', ({ engine, why }) => {
    expect(() => backfillRowRule(model(engine))).toThrow(ConfigError)
    expect(() => backfillRowRule(model(engine))).toThrow(why)
    expect(() => backfillRowRule(model(engine))).toThrow(/backfill of m \(import key m\)/)
  })
})
