import { Client, Connection } from '@temporalio/client'
import { NativeConnection } from '@temporalio/worker'
import type { TemporalSettings } from '../../config/temporal-settings.js'
import { ConfigError, messageOf } from '../../errors.js'

function unreachable(address: string, error: unknown): ConfigError {
  return new ConfigError(`cannot reach Temporal at ${address}: ${messageOf(error)}`, {}, { cause: error })
}

/** A client for starting and driving sync workflows; fails with a message naming the address. */
export async function connectClient(settings: TemporalSettings): Promise<Client> {
  try {
    const connection = await Connection.connect({ address: settings.address, connectTimeout: '5s' })
    return new Client({ connection, namespace: settings.namespace })
  } catch (error) {
    throw unreachable(settings.address, error)
  }
}

/** The worker's connection; fails with a message naming the address. */
export async function connectWorker(settings: TemporalSettings): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect({ address: settings.address })
  } catch (error) {
    throw unreachable(settings.address, error)
  }
}
