// The application side of the demo: two PostgreSQL tables and a stream of plain-SQL changes to
// them. Nothing here registers anything: the capture triggers (`chsync capture install`) do.
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'

const quote = pg.escapeIdentifier

/** Dimensions of a document's embedding (`real[]` → `Array(Float32)`). */
export const EMBEDDING_DIMENSIONS = 384

/** How often the writer commits a round of changes. */
const TICK_MS = 200

/** Drops and recreates the demo's source tables (a re-run starts from empty tables). */
export async function createSourceTables(pool, { orders, documents }) {
  await pool.query(`DROP TABLE IF EXISTS ${quote(orders)}, ${quote(documents)}`)
  await pool.query(`CREATE TABLE ${quote(orders)} (
    id bigint PRIMARY KEY, customer text NOT NULL, status text NOT NULL, amount numeric(10,2) NOT NULL,
    updated_at timestamptz NOT NULL)`)
  await pool.query(`CREATE TABLE ${quote(documents)} (
    id bigint PRIMARY KEY, title text NOT NULL, revision int NOT NULL, embedding real[] NOT NULL)`)
}

/** A random embedding; naming a column of the row (`row`) makes PostgreSQL compute one per row, not one per statement. */
const embedding = (row) =>
  `(SELECT array_agg(random()::real) FROM generate_series(1, ${EMBEDDING_DIMENSIONS}) WHERE ${row} IS NOT NULL)`

const randomInt = (below) => Math.floor(Math.random() * below)
const randomIds = (count, below) => Array.from({ length: count }, () => 1 + randomInt(below))

/**
 * Writes until `signal` aborts or `untilMs` (epoch ms) passes, one transaction per statement as an
 * application would: each tick inserts ~50 orders and updates and deletes a few existing ones, and
 * inserts a batch of 10–40 documents and re-embeds a few. `written` counts changed rows per table.
 */
export async function writeChanges(pool, tables, { untilMs, signal, written }) {
  let nextOrder = 1
  let nextDocument = 1
  while (Date.now() < untilMs && !signal.aborted) {
    const started = Date.now()
    const newOrders = 40 + randomInt(20)
    const inserted = await pool.query(
      `INSERT INTO ${quote(tables.orders)} (id, customer, status, amount, updated_at)
       SELECT g, 'customer ' || (g % 500), 'new', round((random() * 1000)::numeric, 2), date_trunc('second', now())
       FROM generate_series($1::bigint, $2::bigint) g`,
      [nextOrder, nextOrder + newOrders - 1],
    )
    nextOrder += newOrders
    const updated = await pool.query(
      `UPDATE ${quote(tables.orders)} SET status = (ARRAY['paid','shipped','refunded'])[1 + (random() * 2)::int],
         amount = round((random() * 1000)::numeric, 2), updated_at = date_trunc('second', now())
       WHERE id = ANY($1::bigint[])`,
      [randomIds(15, nextOrder)],
    )
    const deleted = await pool.query(`DELETE FROM ${quote(tables.orders)} WHERE id = ANY($1::bigint[])`, [
      randomIds(4, nextOrder),
    ])
    written.orders += inserted.rowCount + updated.rowCount + deleted.rowCount

    const newDocuments = 10 + randomInt(31)
    const documents = await pool.query(
      `INSERT INTO ${quote(tables.documents)} (id, title, revision, embedding)
       SELECT g, 'document ' || g, 1, ${embedding('g')} FROM generate_series($1::bigint, $2::bigint) g`,
      [nextDocument, nextDocument + newDocuments - 1],
    )
    nextDocument += newDocuments
    const reembedded = await pool.query(
      `UPDATE ${quote(tables.documents)} SET revision = revision + 1, embedding = ${embedding('id')}
       WHERE id = ANY($1::bigint[])`,
      [randomIds(3, nextDocument)],
    )
    written.documents += documents.rowCount + reembedded.rowCount
    await sleep(Math.max(0, TICK_MS - (Date.now() - started)), undefined, { signal }).catch(() => undefined)
  }
}
