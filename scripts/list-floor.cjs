// The least `switchyard list` can do in Node, for the bench's floor column: read the generations
// index, lstat the profile directory and each generation's manifest (the validators a listing must
// check), and print the same table. No confinement, no fallbacks, no effect runtime: what is left
// between this and `switchyard list` is the cost of the program around the same system calls.
// Usage: node scripts/list-floor.cjs ROOT (a bench root, whose index is settled).
"use strict";
const fs = require("node:fs");

const root = process.argv[2];
const profiles = `${root}/var/lib/switchyard/profiles`;
// The columns of the generations index (its top file only names them): a line of JSON placing
// each section, then typed arrays and texts (packages/interpreter/src/observe/ColumnsFile.ts).
const bytes = fs.readFileSync(`${root}/var/lib/switchyard/generations-index.columns`);
const newline = bytes.indexOf(10);
const body = Math.ceil((newline + 1) / 8) * 8;
const index = {};
for (const [name, kind, count, at, textAt, textBytes] of JSON.parse(bytes.subarray(0, newline).toString()).sections) {
  const copy = (width) => Uint8Array.prototype.slice.call(bytes, body + at, body + at + count * width).buffer;
  if (kind === "f64") index[name] = new Float64Array(copy(8));
  else if (kind === "i32") index[name] = new Int32Array(copy(4));
  else {
    const ends = new Int32Array(copy(4));
    const text = bytes.toString("utf8", body + textAt, body + textAt + textBytes);
    index[name] = { at: (i) => text.slice(i === 0 ? 0 : ends[i - 1], ends[i]) };
  }
}
fs.lstatSync(profiles);
const pad = (n) => String(n).padStart(2, "0");
const stamp = (ms) => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
};
const n = index.number.length;
let changed = 0;
const rows = new Array(n);
for (let i = 0; i < n; i++) {
  const target = index.target.at(i);
  const system = target.startsWith("/") ? `${root}${target}` : `${profiles}/${target}`;
  const s = fs.lstatSync(`${system}/manifest.json`, { throwIfNoEntry: false });
  if (s === undefined || s.ino !== index.manifest[4 * i + 1] || s.ctimeMs !== index.manifest[4 * i + 3]) changed++;
  rows[i] = `${String(index.number[i]).padStart(10)}  ${stamp(index.created[i])}  ${index.label.at(i)}`;
}
if (changed > 0) {
  process.stderr.write(`list-floor: ${changed} manifests are not as the index records them; the floor needs a settled bench root\n`);
  process.exit(1);
}
fs.writeSync(1, `Generation  Created              Label\n${rows.join("\n")}\n`);
