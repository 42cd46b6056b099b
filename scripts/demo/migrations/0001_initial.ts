// Written by `chsync makemigrations`: the tables as the models declare them. Review before applying:
// a dropTable deletes the table and its data on every alias.
import { createTable } from 'chsync'

export default [
  createTable('orders', {
    snapshot: {
      id: 'UInt64',
      customer: 'String',
      status: 'String',
      amount: 'Decimal(10, 2)',
      updated_at: "DateTime('UTC')",
      version: 'UInt64',
      sign: 'Int8',
    },
  }),
  createTable('documents', {
    snapshot: {
      id: 'UInt64',
      title: 'String',
      revision: 'UInt32',
      embedding: 'Array(Float32)',
      version: 'UInt64',
      sign: 'Int8',
    },
  }),
]
