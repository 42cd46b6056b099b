import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../../src/config/index.js'
import { makeMigrations } from '../../../src/migrations/index.js'
import { defineModel, mergeTree, nullable, string, uInt64, type Model } from '../../../src/models/index.js'

const importFrom = resolve('src/migrations/index.js')
const events = (extra: boolean): Model =>
  defineModel({
    importKey: 'events',
    table: 'events',
    fields: extra ? { id: uInt64(), note: nullable(string()) } : { id: uInt64() },
    engine: mergeTree({ orderBy: ['id'] }),
    source: { table: 'events', primaryKey: ['id'] },
    deletes: 'ignore',
  })

describe('makeMigrations', () => {
  // Each step loads the generated migration files through jiti, which compiles them: seconds under load.
  it(
    'creates, then alters, then drops as the models change, and writes nothing when nothing changed',
    { timeout: 60_000 },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'chsync-make-'))
      const config = (models: Model[]) =>
        parseConfig({ postgres: { url: 'postgres://x@h/x' }, models, migrationsDir: dir }, { env: {} })

      const first = await makeMigrations(config([events(false)]), { importFrom })
      expect(first?.path).toBe(join(dir, '0001_initial.ts'))
      expect(await makeMigrations(config([events(false)]), { importFrom })).toBeNull()

      const second = await makeMigrations(config([events(true)]), { importFrom })
      expect(second?.path).toBe(join(dir, '0002_auto.ts'))
      expect(readFileSync(second?.path ?? '', 'utf8')).toContain(
        'alterTable("events", { snapshot: {"id":"UInt64","note":"Nullable(String)"} }),',
      )

      const third = await makeMigrations(config([]), { importFrom, name: 'drop_events' })
      expect(third?.path).toBe(join(dir, '0003_drop_events.ts'))
      expect(readFileSync(third?.path ?? '', 'utf8')).toContain('  dropTable("events"),')
      expect(await makeMigrations(config([]), { importFrom })).toBeNull()
    },
  )
})
