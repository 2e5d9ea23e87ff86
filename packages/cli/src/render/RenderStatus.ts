/**
 * `switchyard status` as text: the three links (boot default, running, booted) and one row per
 * service — up or down, pid, for how long, which generation's revision it runs and whether that is
 * what the current generation asks for. The failure report of `apply` reuses the same lines.
 * Names, paths and revisions are escaped (Escape.ts) before the columns are measured.
 */
import { type SystemStatus, Trial } from "@switchyard/model";
import * as Escape from "./Escape.js";

const link = (label: string, l: SystemStatus.Link): string =>
  `${label} ${l.target === null ? "(absent)" : `-> ${l.target}`}${l.generation === null ? "" : ` (generation ${l.generation})`}`;

export const links = (s: SystemStatus.Status): ReadonlyArray<string> => [
  link("profile             ", s.current),
  link("/run/current-system ", s.running),
  link("/run/booted-system  ", s.booted),
];

const duration = (seconds: number): string =>
  seconds < 60 ? `${seconds}s` : seconds < 3600 ? `${Math.floor(seconds / 60)}m${seconds % 60}s` : `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m`;

const state = (o: SystemStatus.Observed | null): string => {
  if (o === null) return "not supervised";
  if (o.up) return o.wantedUp ? "up" : "up (stopping)";
  const how = o.exitCode !== null ? `, exit ${o.exitCode}` : o.signal !== null ? `, ${o.signal}` : "";
  return `down${how}${o.wantedUp ? ", restarting" : ""}`;
};

/** Whether it runs the current generation's record, in words. */
const verdict = (line: SystemStatus.ServiceLine): string => {
  if (line.matches) return "yes";
  const o = line.observed;
  if (line.wanted === null) return "no: not in the current generation";
  if (o === null || !o.up) return "no: not running";
  return o.generation === null ? "no: runs another revision" : `no: runs generation ${o.generation}'s`;
};

/** One row per service, aligned; empty when there is nothing to show. */
export const serviceRows = (s: SystemStatus.Status): ReadonlyArray<string> => {
  if (s.servicesError !== null) return [`(${s.servicesError})`];
  if (s.services === null) return ["(no service manager: services are not observed; use --service-manager s6)"];
  if (s.services.length === 0) return ["(no services)"];
  const rows = s.services.map((line) => {
    const o = line.observed;
    return [
      line.name,
      state(o),
      o?.pid === null || o === null ? "-" : String(o.pid),
      o === null ? "-" : duration(o.forSeconds),
      o?.generation === null || o === null ? "-" : String(o.generation),
      o?.revision ?? "-",
      verdict(line),
    ].map(Escape.line);
  });
  const header = ["SERVICE", "STATE", "PID", "FOR", "GEN", "REVISION", "CURRENT"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const format = (cells: ReadonlyArray<string>) => cells.map((c, i) => c.padEnd(widths[i] as number)).join("  ").trimEnd();
  return [format(header), ...rows.map(format)];
};

export const status = (s: SystemStatus.Status): string => {
  const lines = [`Generation ${s.current.generation ?? "(none)"} is current; ${s.running.generation === null ? "no known generation" : `generation ${s.running.generation}`} is running`];
  lines.push(...links(s).map((l) => `  ${l}`));
  if (s.trial !== null) lines.push(`Boot: ${Trial.describe(s.trial)}`);
  lines.push(`Services (${s.serviceManager}):`, ...serviceRows(s).map((r) => `  ${r}`));
  if (s.debt.length > 0) {
    lines.push("Restart debt (left on old code; restart them to pay it):", ...s.debt.map((d) => `  ${d.service}: runs generation ${d.runs.generation ?? "?"}'s code; ${d.reason}`));
  }
  return Escape.lines(lines);
};
