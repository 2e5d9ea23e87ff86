/**
 * The snapshot store with a real PostgreSQL under s6: the state steps dump the running database
 * (pg_dump -Fc, as user postgres) into a snapshot, `switchyard snapshot check` proves it, and the
 * load step restores it (pg_restore --clean) into a fresh database with the same rows.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { NodeFileSystemLive, NodeProcessRunnerLive, NoServiceManagerLive, Root, Steps } from "@switchyard/interpreter";
import { GenerationNumber, InRootPath, ServiceRecord, SnapshotId, type Step } from "@switchyard/model";
import { Effect, Layer } from "effect";
import { afterAll, describe, expect, it } from "vitest";
import { installPostgres, dbService, postgresMissing, psql, waitReady } from "./postgres-support.js";
import { supervisedRoots } from "./s6-support.js";
import { host, run, systemOf } from "./support.js";

if (postgresMissing !== null) console.log(`PostgreSQL snapshot test skipped: ${postgresMissing}`);

const supervised = supervisedRoots();
afterAll(supervised.stopAll);


describe.skipIf(postgresMissing !== null)("a PostgreSQL database through the snapshot store", () => {
  it("dumps, saves, checks and loads into a fresh database, rows equal", async () => {
    const root = await supervised.make([{ number: 1, services: [dbService()] }], installPostgres);
    await waitReady(root);
    psql(root, "postgres", "CREATE TABLE posts (id int PRIMARY KEY, body text); INSERT INTO posts SELECT g, 'post ' || g FROM generate_series(1, 500) g;");
    const rows = psql(root, "postgres", "SELECT count(*), md5(string_agg(id || body, ',' ORDER BY id)) FROM posts");

    const record = ServiceRecord.normalise(dbService() as unknown as ServiceRecord.ServiceRecordInput);
    const ref: Step.ServiceRef = { system: InRootPath.unsafe(systemOf(1)), generation: GenerationNumber.unsafe(1), record };
    const id = SnapshotId.of("db", 1, Date.UTC(2026, 11, 1, 12));
    const options = { root: Root.make(root), settings: { activationTimeoutMs: 60_000 } };
    const step = (s: Step.Step) => Effect.runPromise(Effect.either(Steps.run(s, options).pipe(Effect.provide(Layer.mergeAll(NodeFileSystemLive, NodeProcessRunnerLive, NoServiceManagerLive)))));
    expect(await step({ _tag: "DumpState", service: ref, snapshot: id })).toMatchObject({ _tag: "Right" });
    const epoch = { read: [1], write: [1] };
    const saved = await step({ _tag: "SaveSnapshot", service: ref, snapshot: id, generation: ref.generation, revision: "r1", epoch, paths: [], dump: true, takenMs: 0, compression: "zstd", recipients: [] } as Step.Step);
    expect(saved).toMatchObject({ _tag: "Right" });
    // The dump directory is gone once the snapshot is committed.
    expect(fs.readdirSync(host(root, "/var/lib/switchyard/snapshots"))).toEqual([id]);

    // The dump program ran as postgres: the file it wrote is postgres's in the archive.
    const listing = execFileSync("tar", ["--list", "--verbose", "--numeric-owner", "--zstd", `--file=${host(root, `/var/lib/switchyard/snapshots/${id}/dump.tar.zst`)}`]).toString();
    const uid = execFileSync("id", ["-u", "postgres"]).toString().trim();
    expect(listing).toMatch(new RegExp(`^-\\S+ ${uid}/\\d+ .* \\./db\\.dump$`, "m"));

    const checked = await run(root, "snapshot", "check", id);
    expect(checked.stderr).toBe("");
    expect(checked.stdout).toMatch(new RegExp(`^snapshot ${id} is whole: 1 member`));

    psql(root, "postgres", "CREATE DATABASE fresh");
    const into = ServiceRecord.normalise(dbService({ state: { dump: ["bin/db-dump"], load: ["bin/db-load", "fresh"], epoch: "1" } }) as unknown as ServiceRecord.ServiceRecordInput);
    expect(await step({ _tag: "LoadState", service: { ...ref, record: into }, snapshot: id, ifSaved: false })).toMatchObject({ _tag: "Right" });
    expect(psql(root, "fresh", "SELECT count(*), md5(string_agg(id || body, ',' ORDER BY id)) FROM posts")).toBe(rows);
    expect(rows.startsWith("500|")).toBe(true);
    // Nothing of the load is left behind.
    expect(fs.readdirSync(host(root, "/var/lib/switchyard/snapshots"))).toEqual([id]);
  }, 60_000);
});
