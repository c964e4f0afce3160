#!/usr/bin/env node
// The irsa-check launcher: runs the bundled CLI from dist/ (npm run build).
import { main } from '../dist/cli.js';

const code = await main(process.argv.slice(2));
// Let pending stdout/stderr writes drain before exiting with the check's code.
process.exitCode = code;
// Never hang after the answer is out: a request abandoned at the --timeout deadline may still
// hold a socket open. The timer is unref'd, so a run that ends on its own is not delayed.
setTimeout(() => process.exit(code), 1000).unref();
