/** Types of compare.mjs (the demo stays plain JavaScript: `npm run demo` runs it without a compile step). */
import type pg from 'pg'

/** How a column is read on each side: text, a number (Decimal), a time (whole seconds), a Float32 array. */
export type ColumnKind = 'text' | 'number' | 'epoch' | 'float32Array'

export interface Difference<T> {
  count: number
  examples: T[]
}

export interface Comparison {
  sourceRows: number
  clickhouseRows: number
  equal: boolean
  missing: Difference<string>
  extra: Difference<string>
  duplicated: Difference<string>
  different: Difference<{ id: string; columns: string[] }>
}

export function readClickHouse(url: string, query: string): Promise<Record<string, unknown>[]>
export function diffRows(
  expected: Record<string, unknown>[],
  found: Record<string, unknown>[],
  columns: Record<string, ColumnKind>,
): Comparison
export function compareModel(options: {
  pool: pg.Pool
  clickhouseUrl: string
  database: string
  table: string
  sourceTable: string
  columns: Record<string, ColumnKind>
}): Promise<Comparison>
export function describeComparison(model: string, result: Comparison): string[]
