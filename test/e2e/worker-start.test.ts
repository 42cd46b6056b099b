import { describe, expect, it } from 'vitest'
import { writeUsersConfig } from '../utils/config-file.js'
import { uniqueName } from '../utils/names.js'

/** Nothing listens on port 1 of the loopback: a service that is down. */
const DOWN = '127.0.0.1:1'

describe('chsync worker start-up errors', () => {
  it.each([
    {
      service: 'PostgreSQL',
      override: { postgresUrl: `postgres://app:s3cret-pw@${DOWN}/db` },
      where: `postgres://app:***@${DOWN}/db`,
    },
    { service: 'Redis', override: { redisUrl: `redis://:s3cret-pw@${DOWN}` }, where: `redis://:***@${DOWN}` },
    {
      service: 'ClickHouse \\(alias default\\)',
      override: { clickhouseUrl: `http://default:s3cret-pw@${DOWN}` },
      where: `http://default:***@${DOWN}`,
    },
    { service: 'Temporal', override: { temporalAddress: DOWN }, where: DOWN },
  ])('names $service and where it was looked for, without the password', async ({ service, override, where }) => {
    const config = writeUsersConfig({ sourceTable: uniqueName('t'), importKey: uniqueName('k'), ...override })
    const failure = (await config.chsync('worker', '--config', config.file).catch((error: unknown) => error)) as {
      code: number
      stderr: string
    }
    expect(failure.code).toBe(1)
    const escaped = where.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    expect(failure.stderr).toMatch(new RegExp(`^chsync: cannot reach ${service} at ${escaped}`, 'm'))
    expect(failure.stderr).not.toContain('s3cret-pw')
  })
})
