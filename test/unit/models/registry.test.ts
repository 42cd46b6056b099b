import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.js'
import { ModelRegistry, defineMultiModel } from '../../../src/models/index.js'
import { userEmbeddings, userEvents, users, usersSource } from '../../fixtures/models/users.js'

describe('ModelRegistry', () => {
  const multi = defineMultiModel({ importKey: 'users', source: usersSource, models: [users, userEmbeddings] })

  it('turns a model into a unit of one and a multi-model into one unit of several', () => {
    const registry = new ModelRegistry([multi, userEvents])
    expect(registry.syncUnits().map((unit) => [unit.importKey, unit.models.map((model) => model.table)])).toEqual([
      ['users', ['users', 'user_embeddings']],
      ['user_events', ['user_events']],
    ])
    expect(registry.get('user_events').models).toEqual([userEvents])
    expect(registry.models()).toHaveLength(3)
  })

  it('rejects two models with one import key unless they are one multi-model', () => {
    expect(() => new ModelRegistry([users, userEmbeddings])).toThrow(ConfigError)
    expect(() => new ModelRegistry([users, userEmbeddings])).toThrow(
      /duplicate import key users \(tables users, user_embeddings\)/,
    )
  })

  it('names an unknown import key and lists the known ones', () => {
    const registry = new ModelRegistry([multi, userEvents])
    expect(() => registry.get('orders')).toThrow(ConfigError)
    expect(() => registry.get('orders')).toThrow('unknown import key orders (known: user_events, users)')
  })
})

describe('defineMultiModel', () => {
  it('refuses a model of another import key or source', () => {
    expect(() => defineMultiModel({ importKey: 'users', source: usersSource, models: [users, userEvents] })).toThrow(
      /has import key user_events/,
    )
    expect(() =>
      defineMultiModel({ importKey: 'users', source: { table: 'people', primaryKey: ['id'] }, models: [users] }),
    ).toThrow(/reads another source/)
  })
})
