import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openClickHouse } from '../../../src/clickhouse/index.js'
import { ConfigError } from '../../../src/errors.js'

/** A second process opening a chDB directory another process holds is told which process holds it. */
describe('an embedded ClickHouse directory held by another process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chsync-held-'))
  let holder: ChildProcess

  beforeAll(async () => {
    // The holder opens the directory with chdb itself and runs a query, then waits for its stdin to close.
    const script = `
      const { createChdbConnection } = require('chdb/connection')
      const connection = createChdbConnection({ path: ${JSON.stringify(dir)} })
      connection.chdb.queryAsync('SELECT 1').then(() => process.stdout.write('ready\\n'))
      process.stdin.resume()
      process.stdin.on('end', () => process.exit(0))`
    holder = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] })
    await new Promise<void>((resolve, reject) => {
      holder.stdout?.on('data', (data: Buffer) => data.toString().includes('ready') && resolve())
      holder.on('exit', (code) => reject(new Error(`holder exited with ${code}`)))
    })
  })
  afterAll(async () => {
    const exited = new Promise((resolve) => holder.once('exit', resolve))
    holder.stdin?.end()
    await exited
    rmSync(dir, { recursive: true, force: true })
  })

  it('names the holding process and what to do', () => {
    expect(() => openClickHouse({ url: `chdb://${dir}` })).toThrow(ConfigError)
    expect(() => openClickHouse({ url: `chdb://${dir}` })).toThrow(
      new RegExp(`held by process ${holder.pid} \\(started .+\\).*stop that process`),
    )
  })
})
