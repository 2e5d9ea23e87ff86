#!/usr/bin/env node
// The bundle is built by `npm ci` (the workspace's prepare script); this file only loads it.
import "../dist/switchyard.js";
