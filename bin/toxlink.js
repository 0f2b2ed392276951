#!/usr/bin/env node
// The installed command: runs the compiled CLI (dist/ is built by `npm install` through the
// package's prepare script, or shipped in the published package).
import { main } from '../dist/cli/main.js';

await main(process.argv);
