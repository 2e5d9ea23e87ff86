/**
 * The `snapshots` section of the config file, read on its own by the commands and steps that need
 * it (the rest of the config becomes the run's `Settings`). An absent file means the defaults.
 */
import { Config, Decode as ModelDecode, World } from "@switchyard/model";
import { Effect } from "effect";
import { ObserveError } from "../Errors.js";
import * as Root from "../root/Root.js";
import * as Absent from "../ports/Absent.js";

export const read = (root: Root.Root) =>
  Effect.gen(function* () {
    const file = Root.host(root, World.Paths.configFile);
    const bytes = yield* Absent.readFile(file, (e) => new ObserveError({ reason: "Io", message: `cannot read ${file}: ${e.message}` }));
    const decoded = bytes === null ? { _tag: "Right" as const, right: {} } : ModelDecode.text(Config.ConfigFile, new TextDecoder().decode(bytes), file);
    if (decoded._tag === "Left") return yield* new ObserveError({ reason: "Config", message: `${ModelDecode.describe(decoded.left)}; fix or remove it` });
    const settings = Config.snapshotSettings(decoded.right);
    if (settings._tag === "Left") return yield* new ObserveError({ reason: "Config", message: `${file}: ${settings.left}` });
    return settings.right;
  });
