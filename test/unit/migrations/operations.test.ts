import { describe, expect, it } from 'vitest'
import { alterTable, createTable, dropTable, isMigrationOperationKind, runSQL } from '../../../src/migrations/index.js'
import { userEvents } from '../../fixtures/models/users.js'

describe('migration operations', () => {
  it('are plain data tagged by kind', () => {
    expect(createTable('users')).toEqual({ kind: 'createTable', model: 'users' })
    expect(alterTable(userEvents, { allowDrop: true })).toEqual({
      kind: 'alterTable',
      model: userEvents,
      allowDrop: true,
    })
    expect(dropTable(userEvents)).toEqual({ kind: 'dropTable', table: 'user_events', hints: { model: userEvents } })
    expect(runSQL('SELECT 1', { replicated: true })).toEqual({
      kind: 'runSQL',
      statements: ['SELECT 1'],
      hints: { replicated: true },
    })
    expect(isMigrationOperationKind('dropTable')).toBe(true)
    expect(isMigrationOperationKind('createIndex')).toBe(false)
  })
})
