import { afterAll, describe, expect, it } from 'vitest'
import type { Redis } from 'ioredis'
import { checkRedisDurability } from '../../../../src/storages/redis/index.js'
import { redisClient } from '../../../utils/clients.js'

/** A stand-in client whose CONFIG GET answers with the given settings. */
function reporting(settings: Record<string, string>): Redis {
  return {
    call: (command: string) =>
      command === 'CONFIG' ? Promise.resolve(Object.entries(settings).flat()) : Promise.reject(new Error('unexpected')),
  } as unknown as Redis
}

describe('checkRedisDurability', () => {
  const redis = redisClient()
  afterAll(async () => {
    await redis.quit()
  })

  it('warns the local service only about appendfsync everysec (noeviction, append-only file)', async () => {
    expect(await checkRedisDurability(redis)).toEqual([expect.stringMatching(/appendfsync is everysec: a crash/)])
  })

  it('finds nothing to warn about with appendfsync always', async () => {
    const settings = { 'maxmemory-policy': 'noeviction', appendonly: 'yes', appendfsync: 'always', save: '' }
    expect(await checkRedisDurability(reporting(settings))).toEqual([])
  })

  it.each<{ name: string; settings: Record<string, string>; warning: RegExp }>([
    {
      name: 'an evicting policy',
      settings: { 'maxmemory-policy': 'allkeys-lru', appendonly: 'yes', appendfsync: 'always', save: '' },
      warning: /maxmemory-policy is allkeys-lru/,
    },
    {
      name: 'an append-only file fsynced every second',
      settings: { 'maxmemory-policy': 'noeviction', appendonly: 'yes', appendfsync: 'everysec', save: '' },
      warning: /can lose the operations registered by the library API in its last second/,
    },
    {
      name: 'snapshots only',
      settings: { 'maxmemory-policy': 'noeviction', appendonly: 'no', save: '3600 1' },
      warning: /since the last snapshot/,
    },
    {
      name: 'no persistence',
      settings: { 'maxmemory-policy': 'noeviction', appendonly: 'no', save: '' },
      warning: /loses every waiting operation/,
    },
  ])('warns about $name', async ({ settings, warning }) => {
    const warnings = await checkRedisDurability(reporting(settings))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(warning)
  })

  it('says so when CONFIG is refused', async () => {
    const refusing = { call: () => Promise.reject(new Error("ERR unknown command 'CONFIG'")) } as unknown as Redis
    expect(await checkRedisDurability(refusing)).toEqual([
      expect.stringMatching(/could not read the Redis configuration/),
    ])
  })
})
