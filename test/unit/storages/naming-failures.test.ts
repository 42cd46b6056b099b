import { describe, expect, it } from 'vitest'
import { ConfigError, StorageError } from '../../../src/errors.js'
import { namingFailures } from '../../../src/storages/naming-failures.js'

/** A stand-in storage whose methods fail the way each case says. */
class Failing {
  readonly prefix = 'chsync'
  constructor(private readonly error: Error) {}
  preSync(): Promise<never> {
    return Promise.reject(this.error)
  }
  name(): string {
    return this.prefix
  }
}

describe('namingFailures', () => {
  const service = 'Redis at redis://:***@cache:6379'

  it('prefixes a client failure with the service, as a retryable StorageError keeping the cause', async () => {
    const cause = new Error('Reached the max retries per request limit (which is 1)')
    const error = await namingFailures(new Failing(cause), service)
      .preSync()
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StorageError)
    expect((error as Error).message).toBe(`${service}: ${cause.message}`)
    expect((error as Error).cause).toBe(cause)
  })

  it('keeps the context of an error chsync raised', async () => {
    const busy = new StorageError('Sync lock for users is held by w1', { importKey: 'users' })
    const error = await namingFailures(new Failing(busy), service)
      .preSync()
      .catch((e: unknown) => e)
    expect((error as StorageError).context).toEqual({ importKey: 'users' })
    expect((error as Error).message).toBe(`${service}: Sync lock for users is held by w1`)
  })

  it('passes a configuration error unchanged, so it still blocks instead of retrying', async () => {
    const config = new ConfigError('unknown model users')
    await expect(namingFailures(new Failing(config), service).preSync()).rejects.toBe(config)
  })

  it('leaves properties and synchronous methods as they are', () => {
    const storage = namingFailures(new Failing(new Error('x')), service)
    expect(storage.prefix).toBe('chsync')
    expect(storage.name()).toBe('chsync')
    expect(storage).toBeInstanceOf(Failing)
  })
})
