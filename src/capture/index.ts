export { withCapture, type Capture, type CaptureKey } from './with-capture.js'
export { installCapture, removeCapture, captureNames, type CaptureTarget } from './triggers.js'
export { relayOutbox, type RelayOptions } from './relay.js'
export { relayingStorage } from './relaying-storage.js'
