// A short-lived child that answers one SELECT from the demo's ClickHouse and exits:
//   node scripts/demo/read-clickhouse.mjs <url> <query>
// chDB binds one data directory per process for the process's whole life, so the demo never opens
// the directory itself (the worker could not open it afterwards); a child reads once the worker has
// stopped and hands the directory back when it exits. A server URL works the same way.
import { openClickHouse } from '../../dist/src/index.js'

const [url, query] = process.argv.slice(2)
if (!url || !query) throw new Error('usage: read-clickhouse.mjs <url> <query>')
const ch = openClickHouse({ url, database: 'default' })
try {
  const rows = await (await ch.client.query({ query, format: 'JSONEachRow' })).json()
  process.stdout.write(JSON.stringify(rows))
} finally {
  await ch.client.close()
}
