import { pino, type Logger } from 'pino'
import { redactUrl } from './redact.js'

export type { Logger }

/**
 * Structured JSON logs (pino). Children carry `importKey`, `batchId` and `model`. Keys that may hold
 * secrets are redacted wherever they appear one or two levels deep.
 */
export function createLogger(
  options: { level?: string; name?: string; destination?: pino.DestinationStream } = {},
): Logger {
  // stderr: stdout belongs to command output (`chsync status --json` must stay parseable).
  return pino(
    {
      name: options.name ?? 'chsync',
      level: options.level ?? process.env.CHSYNC_LOG_LEVEL ?? 'info',
      // Causes as nested objects: the default serializer appends every cause's message to the
      // error's own, and ours already quote their cause, so a line read "X: X: cause".
      serializers: { err: pino.stdSerializers.errWithCause },
      redact: {
        paths: ['password', '*.password', '*.*.password', 'url', '*.url', 'connectionString', '*.connectionString'],
        // URLs keep their host (useful) and lose their password; everything else on the list is masked.
        censor: (value: unknown, path: string[]) =>
          typeof value === 'string' && path.at(-1) !== 'password' ? redactUrl(value) : '***',
      },
    },
    options.destination ?? pino.destination(2),
  )
}

/** The process-wide logger; libraries take a logger argument and default to this one. */
export const logger = createLogger()
