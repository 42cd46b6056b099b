import { describe, expect, it } from 'vitest'
import { hashTag, redisModelKeys, stagedKey } from '../../../../src/storages/redis/redis-keys.js'

describe('redisModelKeys', () => {
  it.each([
    { name: 'a plain import key', importKey: 'Users', tag: 'Users' },
    { name: 'braces', importKey: 'a}b{c', tag: 'a%7Db%7Bc' },
    { name: 'a percent sign', importKey: '100%', tag: '100%25' },
    { name: 'colons and unicode', importKey: 'app:ünï', tag: 'app:ünï' },
  ])('tags every key of $name with one hash tag', ({ importKey, tag }) => {
    expect(hashTag(importKey)).toBe(tag)
    const keys = [...Object.values<string>(redisModelKeys('p', importKey)), stagedKey('p', importKey, '1-2')]
    for (const key of keys) expect(/\{([^}]*)\}/.exec(key)?.[1]).toBe(tag)
  })

  it('keeps import keys that differ only in escaped characters apart', () => {
    expect(hashTag('a{')).not.toBe(hashTag('a%7B'))
  })
})
