import { ApplicationFailure } from '@temporalio/activity'
import { isNonRetryable, messageOf } from '../src/errors.js'

/** The activity boundary: configuration errors become non-retryable failures with their type kept. */
export async function boundary<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (isNonRetryable(error)) {
      throw ApplicationFailure.create({
        type: (error as Error).name,
        message: messageOf(error),
        nonRetryable: true,
        cause: error as Error,
      })
    }
    throw error
  }
}
