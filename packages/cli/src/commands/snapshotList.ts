/**
 * `switchyard snapshot list [--json]`: the committed snapshots, newest first, with what each holds;
 * damaged ones are listed with their problem, and snapshots kept in clear are said to be.
 */
import { Snapshots } from "@switchyard/interpreter";
import { Epoch } from "@switchyard/model";
import { Effect } from "effect";
import * as Args from "../args/Args.js";
import type { CommandContext } from "../Context.js";
import * as Escape from "../render/Escape.js";
import * as Json from "../render/Json.js";
import { SnapshotStore } from "@switchyard/model";

const size = (bytes: number): string =>
  bytes < 1024 ? `${bytes} B` : bytes < 1024 ** 2 ? `${(bytes / 1024).toFixed(1)} KiB` : bytes < 1024 ** 3 ? `${(bytes / 1024 ** 2).toFixed(1)} MiB` : `${(bytes / 1024 ** 3).toFixed(1)} GiB`;

export const run = (ctx: CommandContext) =>
  Effect.gen(function* () {
    const catalogue = yield* Snapshots.Catalogue.list(ctx.root);
    const config = yield* Snapshots.SnapshotConfig.read(ctx.root);
    const clear = catalogue.snapshots.filter((s) => !s.encrypted).length;
    if (Args.flag(ctx.args, "json")) {
      Json.print({ encryptedByConfig: config.recipients.length > 0, recipients: config.recipients.length, snapshots: catalogue.snapshots, damaged: catalogue.damaged });
      return;
    }
    const out: Array<string> = [];
    if (catalogue.snapshots.length === 0 && catalogue.damaged.length === 0) out.push("no snapshots");
    for (const s of catalogue.snapshots) {
      const bytes = s.members.reduce((n, m) => n + m.size, 0);
      const holds = s.members.map((m) => m.path ?? "dump").join(", ");
      out.push(
        `${s.id}  ${s.service}  generation ${s.generation}  epoch ${Epoch.display(s.epoch)}  ${new Date(s.takenMs).toISOString().slice(0, 16).replace("T", " ")} UTC  ${s.reason}  ${size(bytes)}  ${s.encrypted ? "encrypted" : "in clear"}  (${holds || "nothing"})`,
      );
    }
    for (const d of catalogue.damaged) out.push(`${d.id}  damaged: ${d.problem}`);
    if (clear > 0) out.push(`${clear} snapshot${clear === 1 ? " is" : "s are"} stored in clear${config.recipients.length === 0 ? "; set snapshots.recipients in the config to encrypt new ones with age" : ""}`);
    if (config.recipients.length > 0) out.push(`new snapshots are ${SnapshotStore.encryption(config)}`);
    process.stdout.write(out.map((l) => `${Escape.line(l)}\n`).join(""));
  });
