// The demo's verdict: each model's PostgreSQL rows against the rows ClickHouse presents, key by key
// and column by column. Runs while no process holds the embedded ClickHouse (see read-clickhouse.mjs).
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import pg from 'pg'
import { qualifiedTable, quoteIdentifier } from '../../dist/src/index.js'

const execFileAsync = promisify(execFile)
const READER = fileURLToPath(new URL('read-clickhouse.mjs', import.meta.url))

/** How many keys of each kind of difference a comparison names (the counts cover all of them). */
const EXAMPLES = 5

/**
 * How a column is read on each side so that equal values compare equal: both sides print decimals
 * and times differently, and float32 values round-trip through different shortest texts.
 */
const KINDS = {
  text: { pg: (c) => `${c}::text`, ch: (c) => `toString(${c})`, same: (a, b) => a === b },
  number: { pg: (c) => `${c}::text`, ch: (c) => `toString(${c})`, same: (a, b) => Number(a) === Number(b) },
  epoch: {
    pg: (c) => `extract(epoch FROM ${c})::bigint::text`,
    ch: (c) => `toString(toUnixTimestamp(${c}))`,
    same: (a, b) => a === b,
  },
  float32Array: {
    pg: (c) => c,
    ch: (c) => c,
    same: (a, b) =>
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((x, i) => Math.fround(Number(x)) === Math.fround(Number(b[i]))),
  },
}

/** Rows of one SELECT from the ClickHouse at `url`, read by a child process. */
export async function readClickHouse(url, query) {
  const { stdout } = await execFileAsync(process.execPath, [READER, url, query], { maxBuffer: 512 * 1024 * 1024 })
  return JSON.parse(stdout)
}

/**
 * Keys missing on one side, present twice in ClickHouse, or whose columns differ, given both sides'
 * rows as `{ id, ...columns }` with values as `KINDS` reads them.
 */
export function diffRows(expected, found, columns) {
  const source = new Map(expected.map((row) => [row.id, row]))
  const target = new Map()
  const duplicated = []
  for (const row of found) {
    if (target.has(row.id)) duplicated.push(row.id)
    else target.set(row.id, row)
  }
  const missing = [...source.keys()].filter((id) => !target.has(id))
  const extra = [...target.keys()].filter((id) => !source.has(id))
  const different = []
  for (const [id, row] of source) {
    const other = target.get(id)
    if (!other) continue
    const columnsDiffering = Object.entries(columns)
      .filter(([name, kind]) => !KINDS[kind].same(row[name], other[name]))
      .map(([name]) => name)
    if (columnsDiffering.length > 0) different.push({ id, columns: columnsDiffering })
  }
  return {
    sourceRows: source.size,
    clickhouseRows: found.length,
    equal: missing.length + extra.length + duplicated.length + different.length === 0,
    missing: { count: missing.length, examples: missing.slice(0, EXAMPLES) },
    extra: { count: extra.length, examples: extra.slice(0, EXAMPLES) },
    duplicated: { count: duplicated.length, examples: duplicated.slice(0, EXAMPLES) },
    different: { count: different.length, examples: different.slice(0, EXAMPLES) },
  }
}

/**
 * Compares a model's source table with its ClickHouse table (key `id`, `columns` synced under the
 * same names, a CollapsingMergeTree: the current state is the sign +1 rows after FINAL).
 */
export async function compareModel({ pool, clickhouseUrl, database, table, sourceTable, columns }) {
  const quote = { pg: pg.escapeIdentifier, ch: quoteIdentifier }
  const select = (side) =>
    Object.entries(columns)
      .map(([name, kind]) => `${KINDS[kind][side](quote[side](name))} AS ${quote[side](name)}`)
      .join(', ')
  const { rows: expected } = await pool.query(
    `SELECT id::text AS id, ${select('pg')} FROM ${pg.escapeIdentifier(sourceTable)}`,
  )
  const found = await readClickHouse(
    clickhouseUrl,
    `SELECT toString(id) AS id, ${select('ch')} FROM ${qualifiedTable(database, table)} FINAL WHERE sign = 1`,
  )
  return diffRows(expected, found, columns)
}

/** One line per model for the summary, and the keys that differ when any do. */
export function describeComparison(model, result) {
  const lines = [
    `${result.equal ? '✓' : '✗'} ${model}: PostgreSQL ${result.sourceRows} rows, ClickHouse ${result.clickhouseRows} rows, ` +
      (result.equal ? 'equal row by row' : 'DIFFERENT'),
  ]
  const labels = {
    missing: 'missing in ClickHouse',
    extra: 'only in ClickHouse',
    duplicated: 'twice in ClickHouse',
    different: 'columns differ',
  }
  for (const [kind, label] of Object.entries(labels)) {
    const { count, examples } = result[kind]
    if (count === 0) continue
    const shown = examples.map((example) =>
      typeof example === 'string' ? example : `${example.id} (${example.columns.join(', ')})`,
    )
    lines.push(`    ${label}: ${count} key(s), e.g. id ${shown.join(', ')}`)
  }
  return lines
}
