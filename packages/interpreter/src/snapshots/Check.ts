/**
 * `snapshot check`: every member's size and SHA-256 recomputed; with an identity, every encrypted
 * member also decrypted and its tar listing read through, which proves the identity opens it.
 */
import { Effect } from "effect";
import * as Archive from "./Archive.js";
import * as Catalogue from "./Catalogue.js";
import * as Durable from "../durable/Durable.js";
import * as Layout from "./Layout.js";
import * as Members from "./Members.js";
import type * as Root from "../root/Root.js";
import * as Tools from "./Tools.js";
import { damaged } from "./SnapshotError.js";

export interface CheckReport {
  readonly id: string;
  readonly members: number;
  readonly bytes: number;
  /** Whether the members were decrypted too (an identity was given and the snapshot is encrypted). */
  readonly decrypted: boolean;
}

export const check = (root: Root.Root, id: string, identity: string | null) =>
  Effect.gen(function* () {
    const meta = yield* Catalogue.read(root, id);
    const dir = Layout.committed(root, id);
    for (const member of meta.members) yield* Members.prove(id, dir, member);
    const decrypt = meta.encrypted && identity !== null;
    if (decrypt) {
      const scratch = Layout.scratch(root, id, "check");
      for (const member of meta.members) {
        const opened = yield* Archive.decrypt(id, `${dir}/${member.name}`, { compression: meta.compression, encrypted: true, identity, scratch });
        const flag = meta.compression === "zstd" ? ["--zstd"] : meta.compression === "gzip" ? ["--gzip"] : [];
        const listed = yield* Tools.run(id, ["tar", "--list", `--file=${opened}`, ...flag], scratch);
        yield* Durable.removeTree(scratch).pipe(Effect.ignore);
        if (!listed.ok) return yield* damaged(id, `its member ${member.name} decrypts but is no readable archive (${Tools.lastLine(listed)})`);
      }
    }
    return { id, members: meta.members.length, bytes: meta.members.reduce((n, m) => n + m.size, 0), decrypted: decrypt } satisfies CheckReport;
  }).pipe(Effect.ensuring(Durable.removeTree(Layout.scratch(root, id, "check")).pipe(Effect.ignore)));
