/** The generations index's codec and its decisions (the interpreter's property test covers their use). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as GenerationsIndex from "../../packages/model/src/world/GenerationsIndex.js";
import type { GenerationNumber } from "../../packages/model/src/world/GenerationNumber.js";
import * as InRootPath from "../../packages/model/src/paths/InRootPath.js";
import * as ColumnsFile from "../../packages/interpreter/src/observe/ColumnsFile.js";

const DIR = InRootPath.unsafe("/var/lib/switchyard/profiles");
const systemOf = (_n: number, target: string): string | null => {
  const r = InRootPath.resolve(DIR, target);
  return r._tag === "Right" ? r.right : null;
};
const validator = fc.record({
  dev: fc.nat(),
  ino: fc.nat(),
  size: fc.nat(),
  ctimeMs: fc.oneof(fc.integer({ min: 0, max: 2 ** 42 }), fc.double({ min: 0, max: 2 ** 42, noNaN: true })),
});
const target = fc.constantFrom("/store/aaaa-one", "/store/bbbb-two", "../../../../store/cccc-three", "/");
const header = (system: string) =>
  fc.record({
    label: fc.string({ unit: "grapheme" }),
    boot: fc.record({
      kernel: fc.constantFrom(`${system === "/" ? "" : system}/kernel`, "/boot/vmlinuz", system),
      initrd: fc.option(fc.constantFrom(`${system === "/" ? "" : system}/initrd`, "/boot/initrd"), { nil: null }),
      params: fc.array(fc.string({ unit: "grapheme" }), { maxLength: 3 }),
    }),
    activate: fc.option(fc.constant(`${system === "/" ? "" : system}/activate`), { nil: null }),
  });
const entry = (number: number) =>
  target.chain((t) =>
    fc.record({
      number: fc.constant(number as GenerationNumber),
      target: fc.constant(t),
      createdMs: fc.double({ min: 0, max: 2 ** 42, noNaN: true }),
      link: validator,
      systemPresent: fc.constantFrom(true, false, null),
      manifest: fc.option(fc.record({ stat: validator, header: header(systemOf(number, t) as string) }), { nil: null }),
    }),
  );
const top = fc.record({
  profile: fc.constant(InRootPath.unsafe("/var/lib/switchyard/profiles/system")),
  directory: validator,
  profileTarget: fc.option(fc.constant("system-1-link"), { nil: null }),
  parents: fc.array(fc.record({ path: fc.constant(InRootPath.unsafe("/store")), stat: validator }), { maxLength: 1 }),
});
const entries = fc.uniqueArray(fc.integer({ min: 1, max: 50 }), { maxLength: 6 }).chain((numbers) => fc.tuple(...[...numbers].sort((a, b) => a - b).map(entry)));
const build = (t: GenerationsIndex.Top, es: ReadonlyArray<GenerationsIndex.Entry>) =>
  GenerationsIndex.make(t, es, (e) => systemOf(e.number, e.target) ?? "/");
const text = (x: unknown): unknown => JSON.parse(JSON.stringify(x));
/** The columns as the interpreter writes and reads them back. */
const framed = (c: GenerationsIndex.ColumnsFile | null): GenerationsIndex.ColumnsFile => {
  if (c === null) throw new Error("no columns file");
  const bytes = ColumnsFile.encode(c);
  const back = bytes === null ? null : ColumnsFile.decode(bytes);
  if (back === null) throw new Error("the columns file does not frame");
  return back;
};
/** The top through JSON text, the columns through their bytes; the index read back names the columns it was read from. */
const roundTrip = (i: GenerationsIndex.Unwritten, spanMs: number, id = "c1") =>
  GenerationsIndex.decode(text(GenerationsIndex.encodeTop(i, id, spanMs)), framed(GenerationsIndex.encodeColumns(i, id)));
/** Every entry as the index gives it back, its header read through. */
const entriesOf = (i: GenerationsIndex.Unwritten) =>
  Array.from({ length: GenerationsIndex.size(i) }, (_, k) => {
    const target = GenerationsIndex.targetAt(i, k);
    const n = GenerationsIndex.numberAt(i, k);
    const manifestStat = { dev: i.columns.manifest[4 * k]!, ino: i.columns.manifest[4 * k + 1]!, size: i.columns.manifest[4 * k + 2]!, ctimeMs: i.columns.manifest[4 * k + 3]! };
    const header = GenerationsIndex.knownHeader(i, k, systemOf(n, target) ?? "/", manifestStat, Infinity);
    return {
      number: n,
      target,
      createdMs: GenerationsIndex.createdAt(i, k),
      link: GenerationsIndex.linkAt(i, k),
      systemPresent: GenerationsIndex.presentAt(i, k),
      manifest: header === null ? null : { stat: manifestStat, header: { label: header.label, boot: header.boot, activate: header.activate } },
    };
  });

describe("GenerationsIndex", () => {
  it("decode ∘ encode is the identity, through JSON text, and every entry reads back as it was made", () => {
    fc.assert(
      fc.property(top, entries, fc.nat(), (t, es, spanMs) => {
        const i = build(t, es);
        expect(i.columnsId).toBeNull();
        const back = roundTrip(i, spanMs);
        if (back._tag === "Left") throw new Error(back.left);
        const { columns: _made, ...top } = i;
        const { columns: _read, ...topRead } = back.right;
        expect(topRead).toEqual({ ...top, columnsId: "c1", spanMs });
        expect(entriesOf(i)).toEqual(es);
        expect(entriesOf(back.right)).toEqual(es);
        // Written again from what it records (its headers carried by column, not unpacked), it records the same.
        const read = back.right;
        const carried = es.map((e, k): GenerationsIndex.Entry => {
          const stat = e.manifest?.stat;
          const header = stat === undefined ? null : GenerationsIndex.knownHeader(read, k, systemOf(e.number, e.target) ?? "/", stat, Infinity);
          return { ...e, manifest: stat === undefined || header === null ? null : { stat, header } };
        });
        const again = build(t, carried);
        expect(entriesOf(again)).toEqual(es);
        const backAgain = GenerationsIndex.decode(text(GenerationsIndex.encodeTop(again, "c2", 1)), framed(GenerationsIndex.encodeColumns(again, "c2")));
        if (backAgain._tag === "Left") throw new Error(backAgain.left);
        expect(entriesOf(backAgain.right)).toEqual(es);
      }),
    );
  });

  it("refuses anything that is not an index of this version, and never throws", () => {
    const stat = { dev: 1, ino: 3, size: 2, ctimeMs: 4 };
    const header = { label: "x", boot: { kernel: "/s/k", initrd: null, params: [] }, activate: null };
    const index = GenerationsIndex.make(
      { profile: InRootPath.unsafe("/p/system"), directory: { dev: 1, ino: 2, size: 3, ctimeMs: 4 }, profileTarget: null, parents: [] },
      [
        { number: 1 as GenerationNumber, target: "/s", createdMs: 5, link: stat, systemPresent: true, manifest: null },
        { number: 2 as GenerationNumber, target: "/s", createdMs: 5, link: stat, systemPresent: true, manifest: { stat, header } },
      ],
      () => "/s",
    );
    const goodTop = text(GenerationsIndex.encodeTop(index, "c1", 1)) as Record<string, unknown>;
    const made = GenerationsIndex.encodeColumns(index, "c1");
    if (made === null) throw new Error("no columns file");
    const good = framed(made);
    expect(GenerationsIndex.decode(goodTop, good)._tag).toBe("Right");
    for (const badTop of [null, 1, "x", [], { ...goodTop, version: 2 }, { ...goodTop, format: "other" }, { ...goodTop, columns: "c2" }, { ...goodTop, directory: [1, 2] }, { ...goodTop, spanMs: "1" }]) {
      expect(GenerationsIndex.decode(badTop, good)._tag).toBe("Left");
    }
    const head = good.head as Record<string, unknown>;
    const withHead = (h: unknown): GenerationsIndex.ColumnsFile => ({ head: h, sections: good.sections });
    const withSection = (name: string, section: GenerationsIndex.Section | null): GenerationsIndex.ColumnsFile => {
      const sections = new Map(good.sections);
      if (section === null) sections.delete(name);
      else sections.set(name, section);
      return framed({ head: good.head, sections });
    };
    const f64 = (...values: Array<number>): GenerationsIndex.Section => ({ kind: "f64", values });
    const i32 = (...values: Array<number>): GenerationsIndex.Section => ({ kind: "i32", values });
    const strings = (...values: Array<string>): GenerationsIndex.Section => ({ kind: "strings", values });
    for (const bad of [
      withHead(null),
      withHead("x"),
      withHead({ ...head, version: 2 }),
      withHead({ ...head, format: "other" }),
      withHead({ ...head, id: "c2" }),
      withSection("number", f64(2, 1)),
      withSection("number", f64(1, 1.5)),
      withSection("number", i32(1, 2)),
      withSection("number", null),
      withSection("target", strings("/s")),
      withSection("created", f64(5, Number.NaN)),
      withSection("link", f64(1, 2, 3)),
      withSection("manifest", f64(...Array.from({ length: 8 }, () => Infinity))),
      withSection("kernel", i32(-1, 7)),
      withSection("params", i32(-1, 3)),
      withSection("label", f64(1, 2)),
      withSection("paramEnds", i32(1, 0)),
      withSection("paramEnds", i32(5)),
      withSection("paths", null),
    ]) {
      expect(GenerationsIndex.decode(goodTop, bad)._tag).toBe("Left");
    }
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        expect(["Left", "Right"]).toContain(GenerationsIndex.decode(a, good)._tag);
        expect(["Left", "Right"]).toContain(GenerationsIndex.decode(goodTop, withHead(b))._tag);
      }),
    );
  });

  it("records no header holding a lone surrogate (UTF-8 cannot carry it back), and writes no columns for such a link target", () => {
    const stat = { dev: 1, ino: 3, size: 2, ctimeMs: 4 };
    const top = { profile: InRootPath.unsafe("/p/system"), directory: stat, profileTarget: null, parents: [] };
    const header = (label: string, params: ReadonlyArray<string> = []) => ({ label, boot: { kernel: "/s/k", initrd: null, params }, activate: null });
    const entry = (number: number, target: string, label: string, params?: ReadonlyArray<string>): GenerationsIndex.Entry => ({
      number: number as GenerationNumber,
      target,
      createdMs: 5,
      link: stat,
      systemPresent: true,
      manifest: { stat, header: header(label, params) },
    });
    const i = GenerationsIndex.make(top, [entry(1, "/s", "a\ud800b"), entry(2, "/s", "fine 😀"), entry(3, "/s", "x", ["\udc00"])], () => "/s");
    expect([0, 1, 2].map((k) => GenerationsIndex.hasHeaderAt(i, k))).toEqual([false, true, false]);
    const back = GenerationsIndex.decode(text(GenerationsIndex.encodeTop(i, "c1", 1)), framed(GenerationsIndex.encodeColumns(i, "c1")));
    expect(back._tag === "Right" ? GenerationsIndex.knownHeader(back.right, 1, "/s", stat, Infinity)?.label : null).toBe("fine 😀");
    expect(GenerationsIndex.encodeColumns(GenerationsIndex.make(top, [entry(1, "/s\udfff", "x")], () => "/s"), "c1")).toBeNull();
  });

  it("a timestamp is settled only once older than its file system's granularity at the horizon", () => {
    const v = (ctimeMs: number) => ({ dev: 1, ino: 1, size: 1, ctimeMs });
    // Sub-second timestamps: Linux's coarse clock, with a margin.
    expect(GenerationsIndex.settled(v(1000.5), 1100.5)).toBe(true);
    expect(GenerationsIndex.settled(v(1000.5), 1100.4)).toBe(false);
    // Whole seconds: a coarse file system, two seconds.
    expect(GenerationsIndex.settled(v(1000), 3000)).toBe(true);
    expect(GenerationsIndex.settled(v(1000), 2999)).toBe(false);
  });

  it("trusts a listing, a target or a header only with equal validators, settled", () => {
    const stat = { dev: 1, ino: 7, size: 85, ctimeMs: 1000.5 };
    const e: GenerationsIndex.Entry = {
      number: 1 as GenerationNumber,
      target: "/s",
      createdMs: 0,
      link: stat,
      systemPresent: true,
      manifest: { stat, header: { label: "x", boot: { kernel: "/s/k", initrd: null, params: [] }, activate: null } },
    };
    const i = GenerationsIndex.make({ profile: InRootPath.unsafe("/p/system"), directory: stat, profileTarget: null, parents: [] }, [e], () => "/s");
    const late = 5000;
    expect(GenerationsIndex.knownTarget(i, 0, stat, late)).toBe("/s");
    expect(GenerationsIndex.knownTarget(i, 0, { ...stat, ino: 8 }, late)).toBeNull();
    expect(GenerationsIndex.knownTarget(i, 0, { ...stat, ctimeMs: 1000.6 }, late)).toBeNull();
    expect(GenerationsIndex.knownTarget(i, 0, stat, 1050)).toBeNull();
    const h = GenerationsIndex.knownHeader(i, 0, "/s", stat, late);
    expect(h === null ? null : { label: h.label, boot: h.boot, activate: h.activate }).toEqual(e.manifest?.header);
    expect(GenerationsIndex.knownHeader(i, 0, "/s", { ...stat, size: 86 }, late)).toBeNull();
    expect(GenerationsIndex.listingHolds(i, InRootPath.unsafe("/p/system"), stat, late)).toBe(true);
    expect(GenerationsIndex.listingHolds(i, InRootPath.unsafe("/q/system"), stat, late)).toBe(false);
    expect(GenerationsIndex.listingHolds(i, InRootPath.unsafe("/p/system"), { ...stat, dev: 2 }, late)).toBe(false);
    expect(GenerationsIndex.horizon({ ...i, spanMs: 0 }, 9000)).toBe(9000);
    expect(GenerationsIndex.horizon({ ...i, spanMs: 40 }, 9000)).toBe(8960);
  });
});
