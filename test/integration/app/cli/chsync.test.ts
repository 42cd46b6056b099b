import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { requireEnv } from '../../../utils/services-env.js'

const run = promisify(execFile)

/** The real bin, built by `npm run build` (npm test and `npm install` build first). */
function chsync(...args: string[]) {
  return run(process.execPath, ['bin/chsync.js', ...args], { env: { ...process.env, NO_COLOR: '1' } })
}

describe('chsync CLI', () => {
  it('prints help', async () => {
    const { stdout } = await chsync('--help')
    expect(stdout).toMatch(/Usage: chsync/)
    expect(stdout).toMatch(/capabilities/)
  })

  it('probes the ClickHouse server and prints JSON', async () => {
    const { stdout } = await chsync('capabilities', requireEnv('CHSYNC_CLICKHOUSE_URL'), '--json')
    const capabilities = JSON.parse(stdout) as { version: string; insertDeduplicationToken: boolean }
    expect(capabilities.version).toMatch(/^18\./)
    expect(capabilities.insertDeduplicationToken).toBe(false)
  })

  it('names a bad URL in one line and exits 1', async () => {
    const failure = (await chsync('capabilities', 'ftp://x:secret@host/db').catch((error: unknown) => error)) as {
      code: number
      stderr: string
    }
    expect(failure.code).toBe(1)
    expect(failure.stderr).toMatch(/^chsync: ClickHouse URL ftp:\/\/x:\*\*\*@host\/db must start with/)
    expect(failure.stderr).not.toContain('secret')
  })
})
