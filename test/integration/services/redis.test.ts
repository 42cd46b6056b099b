import { afterAll, describe, expect, it } from 'vitest'
import { redisClient } from '../../utils/clients.js'
import { uniqueName } from '../../utils/names.js'

describe('Redis service', () => {
  const redis = redisClient()
  afterAll(async () => {
    await redis.quit()
  })

  it('round-trips a value', async () => {
    const key = uniqueName('smoke')
    await redis.set(key, 'value', 'EX', 60)
    expect(await redis.get(key)).toBe('value')
    await redis.del(key)
  })

  it('keeps an append-only file so a restart loses nothing', async () => {
    expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes'])
    expect(await redis.config('GET', 'appendfsync')).toEqual(['appendfsync', 'everysec'])
  })
})
