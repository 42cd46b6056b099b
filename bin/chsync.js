#!/usr/bin/env node
// The compiled CLI: dist/ ships in the packed package, and a git install builds it in `prepare`.
import '../dist/src/app/cli/main.js'
