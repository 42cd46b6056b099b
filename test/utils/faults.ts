import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type pg from 'pg'
import { expect, it } from 'vitest'
import type { Storage } from '../../src/storages/storage.js'
import { clickhouseRows, duplicateCount, sourceRows, type RowNaming, type RowSource } from './e2e.js'

/**
 * The fault suite's bookkeeping: every scenario ends with the same verdict (PostgreSQL and
 * ClickHouse compared row by row, duplicates counted, operations left counted) and records it in
 * `.chsync/faults/`, from which test/utils/faults-report.ts writes the table of docs/reliability.md.
 */

/** Where each scenario's verdict is written, one JSON file per scenario. */
export const faultResultsDir = resolve(process.env.CHSYNC_HOME ?? '.chsync', 'faults')

/** The groups of docs/reliability.md, in the order the issue lists them. */
export const FAULT_GROUPS = ['Process and service faults', 'SRS028 failure modes', 'Bad input'] as const
export type FaultGroup = (typeof FAULT_GROUPS)[number]

/** What a scenario ends with: the row-by-row comparison of one model's table with its source. */
export interface SyncVerdict {
  /** Rows in the PostgreSQL source table. */
  expectedRows: number
  /** Rows ClickHouse presents after merging (FINAL; deleted and cancelled rows gone). */
  foundRows: number
  /** Keys missing on either side or whose synced columns differ. */
  mismatched: number
  /** Raw rows written more than once (same key and version). */
  duplicates: number
  /** Operations still registered in the storage (the backlog), which must be 0 at the end. */
  operationsLeft: number
  /** Operations parked in the dead-letter list; a scenario states how many it expects. */
  deadLetters: number
}

export interface FaultRecord extends Partial<SyncVerdict> {
  /** Raw duplicates the scenario documents as its server's limit (shown as expected in the table). */
  expectedDuplicates?: number
  /** FaultScenario.duplicatesMerged. */
  duplicatesMerged?: string
  group: FaultGroup
  scenario: string
  injected: string
  passed: boolean
  error?: string
  file: string
  recordedAt: string
}

export interface FaultScenario {
  group: FaultGroup
  /** What the test calls it, e.g. "Redis restarted mid-round". */
  scenario: string
  /** What was done to the system, for the report: "SIGKILL of the worker during insertBatch". */
  injected: string
  timeoutMs?: number
  /** Dead letters the scenario parks on purpose (poison rows); any other number fails it. */
  expectedDeadLetters?: number
  /**
   * Raw duplicates the scenario must be left with, which the engine merges away (FINAL) — a server
   * without deduplication tokens (18.x), a replay past the window: it documents that limit; any
   * other number fails it.
   */
  expectedDuplicates?: number
  /**
   * Why this scenario may leave raw duplicates (same key and version) in any number: a fault that
   * rolls the storage back, so that a committed batch's operations come again in a batch of another
   * composition, which the deduplication tokens cannot recognise. The engine merges them; the
   * row-by-row comparison (FINAL) must still find every row right.
   */
  duplicatesMerged?: string
}

/**
 * One fault scenario as a vitest test. The body injects the fault, lets the sync converge and
 * returns the final verdict (from `verifySync`); the scenario passes when every row matches,
 * nothing is doubled and nothing is left — and its verdict lands in the reliability table either way.
 */
export function faultScenario(definition: FaultScenario, body: () => Promise<SyncVerdict>): void {
  it(
    definition.scenario,
    async ({ task }) => {
      let verdict: SyncVerdict | undefined
      try {
        verdict = await body()
        expectConverged(
          definition.duplicatesMerged ? { ...verdict, duplicates: 0 } : verdict,
          definition.expectedDeadLetters,
          definition.expectedDuplicates,
        )
        record(definition, task.file.name, { ...verdict, passed: true })
      } catch (error) {
        record(definition, task.file.name, { ...verdict, passed: false, error: String(error).split('\n')[0] })
        throw error
      }
    },
    definition.timeoutMs,
  )
}

/** The verdict of a converged sync: every row there once, nothing left, only the expected dead letters. */
export function expectConverged(verdict: SyncVerdict, expectedDeadLetters = 0, expectedDuplicates = 0): void {
  expect(verdict).toEqual({
    ...verdict,
    foundRows: verdict.expectedRows,
    mismatched: 0,
    duplicates: expectedDuplicates,
    operationsLeft: 0,
    deadLetters: expectedDeadLetters,
  })
}

/**
 * A scenario with no rows to compare — a config or a secret refused before anything is written. Its
 * row in the table shows "–" for the row columns instead of made-up numbers; the body asserts what
 * the refusal must look like (exit code, message naming the key).
 */
export function faultCheck(
  definition: Omit<FaultScenario, 'expectedDeadLetters' | 'expectedDuplicates'>,
  body: () => Promise<void>,
): void {
  it(
    definition.scenario,
    async ({ task }) => {
      try {
        await body()
        record(definition, task.file.name, { passed: true })
      } catch (error) {
        record(definition, task.file.name, { passed: false, error: String(error).split('\n')[0] })
        throw error
      }
    },
    definition.timeoutMs,
  )
}

function record(
  definition: FaultScenario,
  file: string,
  outcome: Partial<SyncVerdict> & { passed: boolean; error?: string },
): void {
  const entry: FaultRecord = {
    group: definition.group,
    scenario: definition.scenario,
    injected: definition.injected,
    ...(definition.expectedDuplicates ? { expectedDuplicates: definition.expectedDuplicates } : {}),
    ...(definition.duplicatesMerged ? { duplicatesMerged: definition.duplicatesMerged } : {}),
    ...outcome,
    file,
    recordedAt: new Date().toISOString(),
  }
  mkdirSync(faultResultsDir, { recursive: true })
  const slug = `${file}-${definition.scenario}`.replace(/[^a-zA-Z0-9]+/g, '-').slice(0, 150)
  writeFileSync(join(faultResultsDir, `${slug}.json`), JSON.stringify(entry, null, 2))
}

export interface VerifySyncOptions {
  pool: pg.Pool
  sourceTable: string
  ch: RowSource
  database: string
  table: string
  /** Columns compared besides the key, synced under the same names. */
  columns: readonly string[]
  engine: 'replacing' | 'collapsing' | 'plain'
  /** Columns that, with the key, identify one written row (the version, and the sign if any). */
  identity?: readonly string[]
  storage: Storage
  importKey: string
  /** Key and column names where they are not `id` and the same on both sides. */
  naming?: RowNaming
}

/** Compares a synced table with its source row by row and reads what the storage still holds. */
export async function verifySync(options: VerifySyncOptions): Promise<SyncVerdict> {
  const { pool, sourceTable, ch, database, table, columns, engine, storage, importKey } = options
  const expected = await sourceRows(pool, sourceTable, columns, options.naming)
  const found = await clickhouseRows(ch, database, table, columns, engine, options.naming)
  const keys = new Set([...expected.keys(), ...found.keys()])
  const mismatched = [...keys].filter((key) => expected.get(key) !== found.get(key)).length
  return {
    expectedRows: expected.size,
    foundRows: found.size,
    mismatched,
    duplicates: await duplicateCount(ch, database, table, options.identity ?? ['version'], options.naming),
    operationsLeft: await storage.operationsCount(importKey),
    deadLetters: (await storage.deadLetters(importKey)).length,
  }
}
