/**
 * Every io-ts codec the model exports says the same thing through `is` as through `decode`:
 * `codec.is(x)` exactly when `decode(x)` succeeds, and then decoding gives `x` back unchanged (the
 * model's codecs only check; none of them converts). The codecs are found by walking the model's
 * barrel, so a codec added later is covered without editing this file. The inputs: arbitrary JSON;
 * every part of real documents (plans of each operation with their steps, manifests, service
 * records, restart-debt records, s6 service data, the config file, patterns and specs), so each
 * codec meets its own valid values; and those documents mutated — a part replaced by a boundary
 * value (86400 and 86401, a relative or climbing path, a NUL, …) or by arbitrary JSON, an unknown
 * key added, a key removed — which is where a lenient `is` shows.
 */
import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import { describe, expect, it } from "vitest";
import * as Model from "../../packages/model/src/index.js";
import * as Bless from "../../packages/model/src/boot/Bless.js";
import * as Pins from "../../packages/model/src/world/Pins.js";
import type * as World from "../../packages/model/src/world/World.js";
import { bootspec } from "../support/foreign-fixtures.js";
import * as InRootPath from "../../packages/model/src/paths/InRootPath.js";
import * as Pattern from "../../packages/model/src/select/Pattern.js";
import * as RestartDebt from "../../packages/model/src/services/RestartDebt.js";
import * as S6Service from "../../packages/model/src/services/s6/S6Service.js";
import * as ServiceRecord from "../../packages/model/src/services/ServiceRecord.js";
import * as Spec from "../../packages/model/src/select/Spec.js";
import type * as Step from "../../packages/model/src/plan/Step.js";
import * as Transition from "../../packages/model/src/transition/Transition.js";
import * as Worlds from "../support/worlds.js";

/** Every exported codec of the model, named `Module.export`. */
const codecs: ReadonlyArray<readonly [string, t.Mixed]> = Object.entries(Model as Record<string, unknown>).flatMap(([module, exports]) =>
  exports instanceof t.Type
    ? [[module, exports as t.Mixed] as const]
    : typeof exports === "object" && exports !== null
      ? Object.entries(exports).flatMap(([name, value]) => (value instanceof t.Type ? [[`${module}.${name}`, value as t.Mixed] as const] : []))
      : [],
);

const input = (r: Omit<Partial<ServiceRecord.ServiceRecordInput>, "name"> & { readonly name: string }) => r as unknown as ServiceRecord.ServiceRecordInput;
const gen1 = [
  input({ name: "db", start: ["bin/db", "--v1"], stop: ["bin/db-stop"], env: { PORT: "5432" }, description: "the database" }),
  input({ name: "web", start: ["bin/web"], requires: ["db"], reload: ["bin/web", "--reload"], reloadTriggers: ["cfg-1"] }),
  input({ name: "pinned", start: ["bin/pinned", "--v1"] }),
  input({ name: "gone", start: ["bin/gone"], provides: ["gone", "legacy"] }),
];
const gen2 = [
  input({ name: "db", start: ["bin/db", "--v2"], stop: ["bin/db-stop"], env: { PORT: "5432" }, stopIfChanged: false }),
  input({ name: "web", start: ["bin/web"], requires: ["db"], reload: ["bin/web", "--reload"], reloadTriggers: ["cfg-2"] }),
  input({ name: "pinned", start: ["bin/pinned", "--v2"], restartIfChanged: false }),
  input({ name: "new", start: ["bin/new"], stopOnRemoval: false, reloadIfChanged: true, reload: ["bin/new"] }),
];

const machine = (current: number) =>
  Worlds.world(
    [
      { number: 1, services: gen1, activate: "/store/1-system/activate" },
      { number: 2, services: gen2, activate: "/store/2-system/activate" },
      { number: 3 },
    ],
    { current, settings: { serviceManager: "s6" }, liveServices: ["db", "web", "pinned", "gone"] },
  );
const world = machine(1);

const ENTRIES = "/boot/loader/entries";
const sdWorld = (files: Readonly<Record<string, string | null>> = {}): World.World => ({
  ...Worlds.world([{ number: 1 }, { number: 2 }, { number: 3 }], { settings: { bootloader: "systemd-boot" }, current: 3 }),
  bootConfig: { path: InRootPath.unsafe("/boot/loader/loader.conf"), content: files["/boot/loader/loader.conf"] ?? null, digest: null },
  bootFiles: { files },
});
/** Generation 1 booted on trial (systemd-boot counted two attempts). */
const blessable = (): World.World => {
  const w = sdWorld({ "/boot/loader/loader.conf": "default switchyard-*.conf\n", [`${ENTRIES}/switchyard-1+0-2.conf`]: "sort-key switchyard-0\n" });
  const one = w.generations[0] as World.Generation;
  return { ...w, booted: { target: one.system, system: one.system, generation: one.number, manifest: one.manifest } };
};

const right = <A>(e: E.Either<{ readonly message: string }, A>): A => {
  if (E.isLeft(e)) throw new Error(e.left.message);
  return e.right;
};

const plans = [
  right(Transition.between(world, { operation: { _tag: "Switch", spec: "2" }, mode: "switch", nowMs: 0 })),
  right(Transition.between(world, { operation: { _tag: "Switch", spec: "2" }, mode: "test", services: "conservative", nowMs: 0 })),
  right(Transition.between(machine(3), { operation: { _tag: "Rollback" }, mode: "boot", nowMs: 0 })),
  right(Transition.between(machine(3), { operation: { _tag: "Delete", pattern: "2" }, mode: "switch", nowMs: 0 })),
  right(Transition.between(world, { operation: { _tag: "Restart", services: ["db"], debt: false }, mode: "test", nowMs: 0 })),
  right(
    Transition.adding(world, {
      system: InRootPath.unsafe("/store/4-system"),
      manifest: { _tag: "Valid", manifest: Worlds.manifest({ number: 4, services: gen2 }) },
      nowMs: 0,
      utcOffsetMinutes: 60,
    }),
  ),
  right(Transition.between(machine(2), { operation: { _tag: "Rollback" }, mode: "try", attempts: 3, nowMs: 0 })),
  // systemd-boot: kernels copied to the ESP, and a blessing that renames the trial's entry.
  right(Transition.between(sdWorld(), { operation: { _tag: "Switch", spec: "2" }, mode: "boot", nowMs: 0 })),
  right(Bless.plan(blessable(), "good")).plan,
  // A switch carrying chosen migrations: its BeginMigrations step after Commit.
  right(
    Model.MigrationPlan.attach(world, right(Transition.between(world, { operation: { _tag: "Switch", spec: "2" }, mode: "boot", nowMs: 0 })), [
      { id: "db.backup", run: ["bin/backup"], reboot: "before", onFailure: "hold" },
      { id: "db:convert", run: ["bin/convert", "--to", "2"], requires: ["db.backup"], user: "postgres", timeout: 86400 },
    ]),
  ),
].map((p) => JSON.parse(JSON.stringify(Model.Plan.encode(p))) as unknown);

// Hooks: every generation has all three; a switch's plan (RunHook steps, the pre-switch hook) and the way back of a provisional one.
const HOOKS = { preSwitch: ["bin/pre"], postSwitch: ["bin/post", "-q"], checkHealth: ["bin/health"] };
const hooked = ((w: World.World): World.World => {
  const generations = w.generations.map((g) => (g.manifest._tag === "Valid" ? { ...g, manifest: { _tag: "Valid" as const, manifest: { ...g.manifest.manifest, hooks: HOOKS } } } : g));
  return { ...w, generations, running: { ...w.running, manifest: generations[0]?.manifest ?? null } };
})(world);
const hookedPlan = right(Transition.between(hooked, { operation: { _tag: "Switch", spec: "2" }, mode: "switch", nowMs: 0 }));
const pending = { token: "t", from: 1, to: 2, deadlineMs: 1, watcher: { pid: 5, bootId: "b" }, revert: right(Model.Confirmation.revertPlan(hooked, hookedPlan)) } as Model.Confirmation.Pending;
const hookDocuments = [Model.Plan.encode(hookedPlan), Model.Confirmation.Pending.encode(pending), { ...pending, watcher: null }].map((d) => JSON.parse(JSON.stringify(d)) as unknown);
/** A migration graph under way, as the state directory keeps it, and a report with items. */
const migrationRecord = {
  format: "switchyard-migrations-v1",
  from: 1,
  to: 2,
  mode: "switch",
  fromSystem: "/store/1-system",
  toSystem: "/store/2-system",
  migrations: [{ id: "a", run: ["bin/a"] }, { id: "b", run: ["bin/b"], requires: ["a"], reboot: "after", onFailure: "revert", timeout: 1 }],
  settings: JSON.parse(JSON.stringify(Model.Settings.Settings.encode(world.settings))) as unknown,
  progress: {
    a: { status: "done", runs: 2, startedMs: 0, finishedMs: 1, message: null },
    b: { status: "failed", runs: 1, startedMs: 2, finishedMs: 3, message: "migration 'b' exited with status 1" },
  },
  paused: { by: "a", items: ["reindex"] },
};
const itemReport = {
  items: [
    { id: "reindex", severity: "warning", message: "stale", resolutions: [{ id: "now", description: "reindex now", migrations: [{ id: "r", run: ["bin/r"] }] }] },
    { id: "kernel", severity: "recommendation", message: "reboot" },
    { id: "uid", severity: "error", message: "uid 70 is taken", resolutions: [] },
  ],
};

const manifestInput = { schema: 1, label: "Example", boot: { kernel: "kernel", initrd: "initrd", params: ["quiet"] }, activate: "activate", services: gen1, description: "x" };
const ref = { system: InRootPath.unsafe("/store/2-system"), generation: 2, record: ServiceRecord.normalise(gen2[0] as ServiceRecord.ServiceRecordInput) } as Step.ServiceRef;
const debt = JSON.parse(
  RestartDebt.render([{ service: "pinned", runs: { generation: 1, system: Worlds.systemDir(1) }, wants: { generation: 2, system: null }, reason: "changed, not restarted", bootId: "b" }]),
) as unknown;

const migration = { id: "db-v3", run: ["bin/migrate", "--to", "3"], requires: ["db-backup"], user: "postgres", timeout: 86400, reboot: "after", onFailure: "hold" };
const items = [
  { id: "check:db-schema", severity: "error", message: "schema 2 needs migrating", resolutions: [{ id: "migrate", description: "migrate it", migrations: [migration, { id: "db-backup", run: ["bin/backup"] }] }, { id: "accept", description: "leave it" }] },
  { id: "reboot", severity: "recommendation", message: "reboot", resolutions: [] },
];
const checksManifest = {
  ...{ schema: 1, label: "Checked", boot: { kernel: "kernel" } },
  checks: [{ name: "db-schema", run: ["bin/check-db"], timeout: 3600 }],
  users: [{ name: "postgres", uid: 70, group: "postgres", gid: 4294967294 }],
  requires: { kernel: "6.1" },
};
const choices = { version: 1, transition: { from: 1, to: 2, systems: "ab".repeat(32) }, items, choices: [{ item: "check:db-schema", resolution: "migrate" }] };
const stateful = ServiceRecord.normalise(
  input({ name: "db", start: ["bin/db"], user: "postgres", group: "postgres", state: { paths: [InRootPath.unsafe("/var/lib/db")], dump: ["bin/dump"], load: ["bin/load"], epoch: "2*", restore: "on-rollback" } }),
);
const statefulRef = { system: InRootPath.unsafe("/store/2-system"), generation: 2, record: stateful } as Step.ServiceRef;
const snapshot = Model.SnapshotId.of("db", 2, 0);
const move = Model.StateSteps.moveOf(InRootPath.unsafe("/var/lib/db"), snapshot);
const dataEpoch = { service: "db", epoch: { read: [1, 2], write: [2] }, generation: 2, revision: "abc" };
const stateSteps: ReadonlyArray<Step.Step> = [
  { _tag: "DumpState", service: statefulRef, snapshot },
  { _tag: "SaveSnapshot", service: statefulRef, snapshot, generation: 2, revision: "abc", epoch: { read: [0], write: [0] }, paths: [InRootPath.unsafe("/var/lib/db")], dump: true, takenMs: 0, compression: "gzip", recipients: ["age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq"] },
  { _tag: "RestorePaths", serviceName: "db", snapshot, moves: [move] },
  { _tag: "UndoRestorePaths", serviceName: "db", snapshot, moves: [move] },
  { _tag: "LoadState", service: statefulRef, snapshot, ifSaved: false },
  { _tag: "SetDataEpoch", serviceName: "db", record: dataEpoch },
  { _tag: "SetDataEpoch", serviceName: "db", record: null },
  { _tag: "DropAside", serviceName: "db", paths: [move.aside] },
] as ReadonlyArray<Step.Step>;
const statefulMachine = Worlds.world(
  [1, 2].map((n) => ({ number: n, services: [input({ name: "db", start: ["bin/db", String(n)], state: { paths: [InRootPath.unsafe("/var/lib/db")], dump: ["bin/dump"], load: ["bin/load"], epoch: n === 1 ? "1" : "2*" } })] })),
  { current: 1, settings: { serviceManager: "s6" }, liveServices: ["db"] },
);
const statePlans = [
  right(Transition.between(statefulMachine, { operation: { _tag: "Switch", spec: "2" }, mode: "switch", nowMs: 0 })),
  right(Transition.between(statefulMachine, { operation: { _tag: "SnapshotSave", services: ["db"] }, mode: "test", nowMs: 0 })),
].map((p) => JSON.parse(JSON.stringify(Model.Plan.encode(p))) as unknown);
const stateDocuments: ReadonlyArray<unknown> = [
  ...statePlans,
  { _tag: "SnapshotRestore", id: "20261201T000000.000Z-g1-db" },
  ...stateSteps.map((s) => JSON.parse(JSON.stringify(Model.Step.Step.encode(s))) as unknown),
  { service: "db", state: { paths: ["/var/lib/db"], epoch: { read: [1, 2] }, restore: "when-unreadable" } },
  { epochs: ["0", "1*", 3, null, "", {}, { write: [4] }] },
  { id: snapshot, service: "db", generation: 2, revision: "abc", epoch: { read: [2], write: [2] }, takenMs: 0, paths: ["/var/lib/db"], dump: false },
];

/** Valid documents of every kind; every part of each is tried against every codec. */
const documents: ReadonlyArray<unknown> = [
  ...plans,
  ...hookDocuments,
  migrationRecord,
  { ...migrationRecord, paused: null, progress: { a: { status: "running", runs: 1, startedMs: 0, finishedMs: null, message: null }, b: { status: "pending", runs: 0, startedMs: null, finishedMs: null, message: null } } },
  itemReport,
  ...stateDocuments,
  manifestInput,
  { ...manifestInput, hooks: HOOKS },
  checksManifest,
  { items },
  choices,
  Worlds.manifest({ number: 1, services: gen1 }),
  debt,
  JSON.parse(S6Service.render(ref, "/r").data) as unknown,
  { profile: "/p/system", bootloader: "grub", timeout: 86400, serviceManager: "s6", scanDirectory: "/run/s6", serviceTimeout: 86400, serviceSettleMs: 60000 },
  { timeout: 0, serviceTimeout: 1, serviceSettleMs: 0 },
  { layout: "nix", bootloader: "systemd-boot", boot: { esp: "/efi", menuLimit: 100000 } },
  { layout: "guix", boot: { menuLimit: 1 } },
  { layout: "switchyard" },
  { snapshots: { recipients: [`age1${"q".repeat(58)}`], identity: "/etc/switchyard/age.key", keep: { count: 3, maxAgeDays: 30 }, compression: "gzip" } },
  // A snapshot's meta.json (with a dump member) and the data-epochs file.
  {
    version: 1,
    id: "20261201T120000.000Z-g2-db",
    service: "db",
    generation: 2,
    revision: "r2",
    epoch: { read: [1, 2], write: [2] },
    takenMs: 1_796_000_000_000,
    reason: "before-switch",
    members: [
      { name: "path-0.tar.zst.age", path: "/var/lib/db", size: 10, sha256: "0".repeat(64) },
      { name: "dump.tar.zst.age", path: null, size: 0, sha256: "a".repeat(64) },
    ],
    compression: "zstd",
    encrypted: true,
    recipients: [`age1${"q".repeat(58)}`],
  },
  { version: 1, services: [{ service: "db", epoch: { read: [0], write: [0] }, generation: 1, revision: null }] },
  JSON.parse(Pins.render([1, 7].map(Model.GenerationNumber.unsafe))) as unknown,
  JSON.parse(bootspec()) as unknown,
  // bless and bless --bad
  { _tag: "Bless", verdict: "good" },
  { _tag: "Bless", verdict: "bad" },
  // The apply journal's progress records.
  { phase: "forward", done: -1 },
  { phase: "revert", done: 3 },
  ...["7", "1,3,2", "2..5", "..4", "3..", "2w", "+3", "old"].map((text) => right(E.mapLeft((e: Pattern.PatternError) => e)(Pattern.parse(text, "delete")))),
  ...["7", "+2", "-3"].map((text) => right(Spec.parse(text))),
];

const partsOf = (value: unknown): ReadonlyArray<unknown> =>
  Array.isArray(value) ? [value, ...value.flatMap(partsOf)] : typeof value === "object" && value !== null ? [value, ...Object.values(value).flatMap(partsOf)] : [value];

const parts: ReadonlyArray<unknown> = documents.flatMap(partsOf);

/** Values at and just past the edges of what the codecs accept. */
const boundaries: ReadonlyArray<unknown> = [
  0, -1, 1, 0.5, -0.5, 2, 59_999, 60_000, 60_001, 86_399, 86_400, 86_401, 90_000, 2 ** 53 - 1, 2 ** 53, 1e21, -1e21,
  "", "/", "/a", "/a/", "//a", "/a/./b", "/a/../b", "/..", "a/b", ".", "..", ".hidden", "a b", "a\u0000b", "db", "DB_1", "1A", "A-B", "__proto__",
  "switch", "boot", "grub", "s6", "none", "switchyard-plan", "switchyard-service",
  true, false, null, [], {}, [""], ["x"], { _tag: "Commit" }, { _tag: "Old" },
];

type Path = ReadonlyArray<string | number>;

const pathsOf = (value: unknown, at: Path = []): ReadonlyArray<Path> =>
  Array.isArray(value)
    ? [at, ...value.flatMap((v, i) => pathsOf(v, [...at, i]))]
    : typeof value === "object" && value !== null
      ? [at, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...at, k]))]
      : [at];

/** `value` with the part at `path` replaced by what `edit` makes of it (undefined: removed). */
const edited = (value: unknown, path: Path, edit: (part: unknown) => unknown): unknown => {
  if (path.length === 0) return edit(value);
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? edited(v, rest, edit) : v));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const next = k === head ? edited(v, rest, edit) : v;
    if (next !== undefined) out[k] = next;
  }
  return out;
};

const replacement = fc.oneof(fc.constantFrom(...boundaries), fc.jsonValue({ maxDepth: 2 }));

const mutation: fc.Arbitrary<(part: unknown) => unknown> = fc.oneof(
  replacement.map((v) => () => v),
  fc.constantFrom("extra", "_tag", "checksum", "name").map((key) => (part: unknown) =>
    typeof part === "object" && part !== null && !Array.isArray(part) ? { ...part, [key]: 1 } : part,
  ),
  fc.constant(() => undefined),
);

/** One of `values`, changed in one place. */
const mutatedFrom = (values: ReadonlyArray<unknown>): fc.Arbitrary<unknown> =>
  fc.constantFrom(...values).chain((part) => fc.tuple(fc.constantFrom(...pathsOf(part)), mutation).map(([path, edit]) => edited(part, path, edit)));

/** The parts of the real documents that `codec` accepts: where its `is` and `decode` are most likely to part. */
const ownParts = (codec: t.Mixed): ReadonlyArray<unknown> => parts.filter((p) => E.isRight(codec.decode(p)));

const inputsFor = (codec: t.Mixed): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.jsonValue() },
    { weight: 1, arbitrary: fc.constantFrom(...boundaries) },
    { weight: 1, arbitrary: fc.constantFrom(...parts) },
    { weight: 2, arbitrary: mutatedFrom(parts) },
    { weight: 6, arbitrary: mutatedFrom(ownParts(codec)) },
  );

describe("every codec's `is` agrees with its `decode`", () => {
  it("finds the model's codecs", () => {
    const names = codecs.map(([name]) => name);
    for (const expected of ["Config.ConfigFile", "Manifest.ManifestInput", "Manifest.Manifest", "Plan.Plan", "Step.Step", "Step.ServiceRef", "ServiceRecord.ServiceRecord", "ServiceRecord.ServiceRecordInput", "ServiceRecord.ServiceName", "GenerationNumber.GenerationNumberCodec", "InRootPathCodec", "RestartDebt.File", "S6Service.Data", "Pattern.Pattern", "Spec.Spec"]) {
      expect(names).toContain(expected);
    }
  });

  it("each codec accepts some part of the real documents, so the mutations start from its valid values", () => {
    expect(codecs.filter(([, codec]) => ownParts(codec).length === 0).map(([name]) => name)).toEqual([]);
  });

  it.each(codecs.map(([name, codec]) => [name, codec] as const))("%s", (_name, codec) => {
    fc.assert(
      fc.property(inputsFor(codec), (x) => {
        const decoded = codec.decode(x);
        expect({ input: x, is: codec.is(x) }).toEqual({ input: x, is: E.isRight(decoded) });
        if (E.isRight(decoded)) expect(decoded.right).toEqual(x);
      }),
      { numRuns: 1500 },
    );
  });
});
