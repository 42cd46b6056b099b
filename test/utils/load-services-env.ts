import { applyServicesEnv } from './services-env.js'

applyServicesEnv()
