/**
 * A record's user and group: the s6 run script runs the service through s6-setuidgid, proven by
 * running the rendered script (as root it really switches; `nobody` exists on every system), and
 * the revision covers both, so changing the account restarts the service. Records without them
 * keep the revision they always had.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as S6Service from "../../../packages/model/src/services/s6/S6Service.js";
import * as ServiceRecord from "../../../packages/model/src/services/ServiceRecord.js";
import { fnv1a64 } from "../../../packages/model/src/internal/Hash.js";
import * as ServiceRevision from "../../../packages/model/src/services/ServiceRevision.js";
import type * as Step from "../../../packages/model/src/plan/Step.js";

const record = (extra: Record<string, unknown>) => ServiceRecord.normalise({ name: "db", start: ["/usr/bin/id"], ...extra } as unknown as ServiceRecord.ServiceRecordInput);
const ref = (r: ServiceRecord.ServiceRecord) => ({ system: "/store/1-system", generation: 1, record: r }) as Step.ServiceRef;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "account-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const runScript = (r: ServiceRecord.ServiceRecord): string => {
  const script = S6Service.render(ref(r), "").run.replace(/^exec >>.*$/m, "").replace(/^cd .*$/m, "");
  const file = path.join(dir, "run");
  fs.writeFileSync(file, script, { mode: 0o755 });
  const out = spawnSync("/bin/sh", [file], { encoding: "utf8" });
  return `${out.stdout}${out.stderr}`.trim();
};

const root = process.getuid?.() === 0;
const hasS6 = spawnSync("sh", ["-c", "command -v s6-setuidgid"]).status === 0;

describe("user and group", () => {
  it("renders s6-setuidgid before the program, looking names up when a group is given", () => {
    expect(S6Service.render(ref(record({ user: "nobody" })), "").run).toContain("exec s6-setuidgid 'nobody' '/usr/bin/id'");
    const both = S6Service.render(ref(record({ user: "nobody", group: "nogroup" })), "").run;
    expect(both).toContain("getent group -- 'nogroup'");
    expect(both).toContain(`exec s6-setuidgid "$uid:$gid" '/usr/bin/id'`);
    expect(S6Service.render(ref(record({})), "").run).not.toContain("setuidgid");
  });

  it.skipIf(!root || !hasS6)("the service really runs as that account", () => {
    expect(runScript(record({ user: "nobody" }))).toMatch(/^uid=65534\(nobody\) gid=65534/);
    expect(runScript(record({ user: "nobody", group: "root" }))).toMatch(/^uid=65534\(nobody\) gid=0\(root\)/);
    expect(runScript(record({ user: "nobody", group: "no-such-group" }))).toBe("switchyard: user nobody or group no-such-group does not exist");
  });

  it("the revision covers user and group, and is unchanged for records without them", () => {
    const plain = record({});
    expect(ServiceRevision.ofRef(ref(record({ user: "nobody" })))).not.toBe(ServiceRevision.ofRef(ref(plain)));
    expect(ServiceRevision.ofRef(ref(record({ user: "nobody", group: "root" })))).not.toBe(ServiceRevision.ofRef(ref(record({ user: "nobody" }))));
    // The digest of a record without the new fields is the digest it had before they existed.
    const before = ["name", "provides", "requires", "start", "stop", "reload", "env", "reloadTriggers", "restartIfChanged", "stopIfChanged", "reloadIfChanged", "stopOnRemoval"] as const;
    const env = Object.entries(plain.env);
    expect(ServiceRevision.ofRef(ref(plain))).toBe(fnv1a64(JSON.stringify(["/store/1-system", ...before.map((f) => (f === "env" ? env : plain[f]))])));
  });
});
