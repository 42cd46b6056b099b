#!/usr/bin/env node
// The compiled CLI (npm install runs `prepare`, which builds dist/).
import '../dist/src/app/cli/main.js'
