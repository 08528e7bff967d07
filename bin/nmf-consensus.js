#!/usr/bin/env node
// Thin launcher: the CLI is compiled from tasks/cli.ts by `npm run build` (run by `npm ci` via `prepare`).
import '../dist/tasks/cli.js';
