/**
 * Where the apply journal lives and what its leftovers are called, apart from `ApplyJournal` so
 * that what only asks whether there is a journal (`Layout`, the read-only commands) does not load
 * the plan codec the journal is read with.
 */
import { World } from "@switchyard/model";
import * as Root from "../root/Root.js";

export const directory = (root: Root.Root): string => Root.host(root, `${World.Paths.stateDir}/journal`);

/** Names of leftovers from an interrupted begin or finish, which recovery removes. */
export const isLeftover = (name: string): boolean => /^\.journal-(new|done)-/.test(name);
