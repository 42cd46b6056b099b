import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)

// Runs in the child: open the directory, answer one SELECT as a JSON array on stdout, exit.
const READER = `
const [dir, query] = process.argv.slice(1)
const { openClickHouse } = await import(${JSON.stringify(resolve('dist/src/index.js'))})
const ch = openClickHouse({ url: 'chdb://' + dir, database: 'default' })
const rows = await (await ch.client.query({ query, format: 'JSONEachRow' })).json()
await ch.client.close()
process.stdout.write(JSON.stringify(rows))
`

/**
 * Reads an embedded ClickHouse directory from a short-lived child process. chDB binds one
 * directory per process for its whole life, so a test that opened a worker's directory itself
 * could never hand it back to the next worker; this reader lets a test check between worker runs.
 * Needs the build (`npm test` builds first).
 */
export function chdbReader(dir: string): (query: string) => Promise<Record<string, string>[]> {
  return async (query) => {
    const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', READER, dir, query], {
      maxBuffer: 256 * 1024 * 1024,
    })
    return JSON.parse(stdout) as Record<string, string>[]
  }
}
