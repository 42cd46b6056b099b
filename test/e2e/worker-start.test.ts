import { describe, expect, it } from 'vitest'
import { writeUsersConfig } from '../utils/config-file.js'
import { uniqueName } from '../utils/names.js'
import { requireEnv } from '../utils/services-env.js'

/** Nothing listens on port 1 of the loopback: a service that is down. */
const DOWN = '127.0.0.1:1'

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

async function refusal(config: ReturnType<typeof writeUsersConfig>): Promise<{ code: number; stderr: string }> {
  return (await config.chsync('worker', '--config', config.file).catch((error: unknown) => error)) as {
    code: number
    stderr: string
  }
}

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
    const failure = await refusal(config)
    expect(failure.code).toBe(1)
    expect(failure.stderr).toMatch(new RegExp(`^chsync: cannot reach ${service} at ${escape(where)}`, 'm'))
    expect(failure.stderr).not.toContain('s3cret-pw')
  })

  const postgres = new URL(requireEnv('CHSYNC_POSTGRES_URL'))
  const redis = new URL(requireEnv('CHSYNC_REDIS_URL'))
  const clickhouse = requireEnv('CHSYNC_CLICKHOUSE_URL')
  it.each([
    {
      service: 'PostgreSQL',
      override: { postgresUrl: `postgres://${postgres.username}:s3cret-pw@${postgres.host}${postgres.pathname}` },
      said: 'refused chsync: password authentication failed for user "\\w+": check the user and password in postgres.url',
    },
    {
      service: 'Redis',
      override: { redisUrl: `redis://nobody:s3cret-pw@${redis.host}` },
      said: 'refused chsync: WRONGPASS .*: check the user and password in redis.url',
    },
    {
      service: 'ClickHouse \\(alias default\\)',
      override: { clickhouseUrl: clickhouse },
      said: 'database chsync_cli_\\w+ does not exist: run chsync migrate',
    },
  ])('says $service was reached but refused, and what to do', async ({ service, override, said }) => {
    const config = writeUsersConfig({ sourceTable: uniqueName('t'), importKey: uniqueName('k'), ...override })
    const failure = await refusal(config)
    expect(failure.code).toBe(1)
    expect(failure.stderr).toMatch(new RegExp(`^chsync: ${service} at \\S+ was reached, but ${said}`, 'm'))
    expect(failure.stderr).not.toContain('s3cret-pw')
  })
})
