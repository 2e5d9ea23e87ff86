#!/usr/bin/env node
// The bundle is built by `npm ci` (the workspace's prepare script) into ../dist; ./load.js loads it.
"use strict";
require("./load.js").start();
