#!/usr/bin/env node
// The kubectl plugin launcher: `kubectl irsa-check …` runs this file (kubectl finds
// `kubectl-irsa_check` on the PATH) with the arguments after the plugin name.
import { pluginMain } from '../dist/kubectl-plugin.js';

const code = await pluginMain(process.argv.slice(2));
// Let pending stdout/stderr writes drain before exiting with the check's code.
process.exitCode = code;
