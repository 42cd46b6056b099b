import { afterAll, beforeAll, describe, expect } from 'vitest'
import type pg from 'pg'
import { postgresPool } from '../../utils/clients.js'
import { writeUsersConfig } from '../../utils/config-file.js'
import { faultCheck } from '../../utils/faults.js'
import { uniqueName } from '../../utils/names.js'
import { usersSourceDDL } from '../../utils/users-model.js'
import { WorkerProcess } from '../../utils/worker-process.js'

/**
 * A bad config, end to end through the real bin: `chsync check` and `chsync worker` refuse it at
 * start, exit 1 and name the key. A model whose table is missing (in PostgreSQL or in ClickHouse)
 * is named by `chsync check` (exit 1) and in the worker's start-up log; the worker still starts, so
 * the other models sync (that model blocks on its own: blocked.test.ts). Nothing is written, so
 * these rows of the reliability table have no row counts.
 */
const group = 'Bad input'

interface Refusal {
  code: number
  stdout: string
  stderr: string
}

async function refused(run: Promise<unknown>): Promise<Refusal> {
  const outcome = await run.then(
    () => null,
    (error: unknown) => error as Refusal,
  )
  if (!outcome) throw new Error('the command succeeded')
  return outcome
}

describe('a bad config is refused at start, naming the key', () => {
  const sourceTable = uniqueName('badcfg')
  let pool: pg.Pool

  beforeAll(async () => {
    pool = postgresPool()
    await pool.query(usersSourceDDL(sourceTable))
  })

  afterAll(async () => {
    await pool?.query(`DROP TABLE IF EXISTS "${sourceTable}"`)
    await pool?.end()
  })

  const cases = [
    {
      name: 'An unknown config key',
      injected: '`databses: {}` in the config',
      configExtra: 'databses: {}',
      key: /databses: unknown key/,
    },
    {
      name: 'A config value of the wrong type',
      injected: "`sync: { batchSize: 'ten' }` in a model",
      modelExtra: "sync: { batchSize: 'ten' }",
      key: /model badcfg_\w+: sync\.batchSize must be a whole number/,
    },
    {
      name: 'Missing connection settings',
      injected: '`postgres: {}` (no url)',
      configExtra: 'postgres: {}',
      key: /postgres\.url/,
    },
    {
      name: 'Duplicate import keys',
      injected: 'the same model twice in `models`',
      configExtra: 'models: [model, model]',
      key: (importKey: string) => new RegExp(`duplicate import key ${importKey} `),
    },
  ]
  for (const { name, injected, key, ...extra } of cases) {
    faultCheck({ group, scenario: `${name} is refused by chsync check and chsync worker`, injected }, async () => {
      const importKey = uniqueName('badcfg')
      const config = writeUsersConfig({ sourceTable, importKey, ...extra })
      const named = typeof key === 'function' ? key(importKey) : key
      for (const command of ['check', 'worker']) {
        const refusal = await refused(config.chsync(command, '--config', config.file))
        expect(refusal.code, `chsync ${command}`).toBe(1)
        expect(refusal.stderr, `chsync ${command}`).toMatch(/^chsync: /)
        expect(refusal.stderr, `chsync ${command}`).toMatch(named)
        // One clear line, never a stack.
        expect(refusal.stderr.trim().split('\n'), `chsync ${command}`).toHaveLength(1)
      }
    })
  }

  /** `chsync check` exits 1 naming `missing`; a worker on the same config names it in its start-up log. */
  async function namedAtStart(config: ReturnType<typeof writeUsersConfig>, missing: RegExp): Promise<void> {
    const refusal = await refused(config.chsync('check', '--config', config.file))
    expect(refusal.code).toBe(1)
    expect(refusal.stdout).toMatch(missing)
    const worker = new WorkerProcess(['--config', config.file], config.env)
    try {
      await worker.start()
      expect(worker.tail(200)).toMatch(missing)
    } finally {
      await worker.stop()
    }
  }

  faultCheck(
    {
      group,
      scenario: 'A model whose PostgreSQL source table is missing is named at start',
      injected: 'source table not created',
    },
    async () => {
      const missing = uniqueName('nosource')
      const config = writeUsersConfig({ sourceTable: missing, importKey: uniqueName('nosource') })
      await namedAtStart(
        config,
        new RegExp(
          `Source table public\\.${missing} does not exist in PostgreSQL: create it, or point the model's source`,
        ),
      )
    },
  )

  faultCheck(
    {
      group,
      scenario: 'A model whose ClickHouse table is missing is named at start',
      injected: 'ClickHouse table not migrated',
    },
    async () => {
      const importKey = uniqueName('notable')
      const config = writeUsersConfig({ sourceTable, importKey })
      await namedAtStart(config, new RegExp(`table ${config.database}\\.users of model ${importKey} does not exist`))
    },
  )
})
