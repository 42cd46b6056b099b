import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.js'
import { openStorage, type StorageConfig } from '../../../src/storages/open-storage.js'

describe('openStorage', () => {
  it.each([
    {
      name: 'an unknown kind',
      config: { kind: 'memcached', url: 'redis://h' },
      message: /Unknown storage kind memcached/,
    },
    { name: 'a Redis URL for PostgreSQL', config: { kind: 'postgres', url: 'redis://h:6379' }, message: /postgres:/ },
    {
      name: 'a PostgreSQL URL for Redis',
      config: { kind: 'redis', url: 'postgres://u:secret@h/db' },
      message: /\*\*\*/,
    },
    { name: 'no URL at all', config: { kind: 'redis', url: 'not a url :secret' }, message: /not a URL$/ },
  ])('rejects $name with a ConfigError that hides passwords', ({ config, message }) => {
    const open = () => openStorage(config as StorageConfig)
    expect(open).toThrow(ConfigError)
    expect(open).toThrow(message)
    expect(open).not.toThrow(/secret/)
  })
})
