import { createProgram } from './program.js'
import { messageOf } from '../../errors.js'

/** Entry point of the `chsync` bin: errors are printed as one clear line, never a stack, and exit 1. */
try {
  await createProgram().parseAsync(process.argv)
} catch (error) {
  console.error(`chsync: ${messageOf(error)}`)
  process.exitCode = 1
}
