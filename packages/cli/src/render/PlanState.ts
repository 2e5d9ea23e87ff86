/**
 * The data section of a plan at a glance: per stateful service whether its data is kept (after a
 * snapshot), or replaced by a snapshot — with the loss line saying what is replaced and where the
 * replaced data is kept — and whether snapshots are stored unencrypted.
 */
import { Epoch, type Plan, SnapshotStore } from "@switchyard/model";
import * as Escape from "./Escape.js";
import type * as Style from "./Style.js";

const e = Escape.line;

export const section = (p: Plan.Plan, st: Style.Style): ReadonlyArray<string> => {
  if (p.state.length === 0) return [];
  const out = [st.bold("Data:")];
  for (const s of p.state) {
    const data = s.data === null ? "no data recorded yet" : `data in epoch ${Epoch.display(s.data.epoch)}${s.data.generation === null ? "" : ` (generation ${s.data.generation})`}`;
    const reads = s.epoch === null ? "" : `; the target reads epoch ${Epoch.display(s.epoch)}`;
    if (s.action === "restore") out.push(`  ${st.mark("replace")} ${e(s.loss ?? `${s.service}: restores snapshot ${s.snapshot ?? ""}`)}`);
    else if (s.action === "snapshot") out.push(`  ${st.mark("add")} ${e(s.service)}: snapshot ${e(s.saved ?? "")} taken before it stops; ${data} kept${reads}`);
    else out.push(`  ${st.mark("same")} ${e(s.service)}: ${data} kept${reads}`);
  }
  // Said from the steps themselves: each SaveSnapshot carries the recipients it encrypts to.
  const save = p.steps.find((s) => s._tag === "SaveSnapshot");
  if (save?._tag === "SaveSnapshot" && save.recipients.length === 0) out.push(`  ${st.mark("skip")} snapshots are stored unencrypted (in clear): no snapshots.recipients (age public keys) configured`);
  else if (save?._tag === "SaveSnapshot") out.push(`  ${st.mark("same")} snapshots are ${SnapshotStore.encryption(save)}`);
  return out;
};
