/**
 * The GRUB menu of a world, as one text: what `plan` shows and the GRUB checks read. Transitions
 * go through `BootSteps` (every bootloader, every file); this keeps the single-file view of GRUB
 * and the names other modules have always imported from here.
 */
import * as E from "fp-ts/lib/Either.js";
import type { GenerationNumber } from "../world/GenerationNumber.js";
import * as GrubConfig from "./grub/GrubConfig.js";
import * as Menu from "./Menu.js";
import type * as Plan from "../plan/Plan.js";
import * as Stamp from "./Stamp.js";
import type * as World from "../world/World.js";

export type Skipped = Menu.Skipped;
export type BootConfigError = Menu.BootConfigError;

export interface Rendered {
  readonly summary: Plan.BootSummary;
  readonly content: string;
  /** Generations left out of the menu because their manifest is invalid, newest first. */
  readonly skipped: ReadonlyArray<Skipped>;
}

export const SYSTEM_PARAM = Menu.SYSTEM_PARAM;
export const entryId = GrubConfig.entryId;
export const quote = GrubConfig.quote;
export const formatStamp = Stamp.format;

/** grub.cfg with generation `defaultNumber` as the default and no trial. */
export const render = (world: World.World, defaultNumber: GenerationNumber): E.Either<BootConfigError, Rendered> =>
  E.map((menu: Menu.Menu) => ({
    summary: { default: menu.default, entries: menu.entries.map((e) => e.number) },
    content: GrubConfig.content(menu),
    skipped: menu.skipped,
  }))(Menu.of(world, { default: defaultNumber, trial: null }));
