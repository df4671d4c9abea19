#!/usr/bin/env node
// The `syndb` command: runs the compiled CLI (built by `npm install` / `npm run build`).
import('../dist/src/cli/main.js').then((m) => m.main(process.argv.slice(2))).then((code) => { process.exitCode = code; });
