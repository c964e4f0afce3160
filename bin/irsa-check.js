#!/usr/bin/env node
// The irsa-check launcher: runs the bundled CLI from dist/ (npm run build).
import { main } from '../dist/cli.js';

const code = await main(process.argv.slice(2));
// Let pending stdout/stderr writes drain before exiting with the check's code.
process.exitCode = code;
