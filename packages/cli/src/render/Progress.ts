/**
 * What `apply`, `restart` and `recover` print while they work, on standard error: one line per step
 * as it goes (`[3/9] start web … ok 0.41 s`), the output of activation scripts between them, and
 * for long work on a terminal (thousands of generations to delete) one progress bar redrawn in place
 * instead of thousands of lines. Steps are timed here, from the interpreter's events: the CLI may
 * read the clock, the interpreter's step runner does not need to.
 */
import { type Plan, Step } from "@switchyard/model";
import type { Steps } from "@switchyard/interpreter";
import * as Escape from "./Escape.js";
import * as Style from "./Style.js";
import * as Terminal from "./Terminal.js";

/** More steps than this, on a terminal, get a bar instead of a line each. */
export const BAR_THRESHOLD = 50;
const REDRAW_MS = 100;

/** "0.41 s", "12.3 s", "2 min 5 s" */
export const seconds = (ms: number): string => {
  if (ms < 10_000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
};

export interface Reporter {
  readonly onEvent: (event: Steps.Event) => void;
  readonly onPlan: (plan: Plan.Plan) => void;
  /** The revert steps that ran, described, for the failure report. */
  readonly reverted: ReadonlyArray<string>;
  /** Time since the steps began (or since the reporter was made, when no plan was announced). */
  readonly elapsed: () => string;
}

/** Lines held during a burst are written once they come to this much. */
const HELD_LIMIT = 64 * 1024;

export const make = (terminal: Terminal.Terminal = Terminal.stderr(), writeOut: (text: string) => void = (t) => void process.stderr.write(t)): Reporter => {
  const st = Style.of(terminal);
  /**
   * The lines of a burst (see `Steps.Event`) written to a log or a pipe: held and written together,
   * one write instead of one a step (1,000 of them to delete 1,000 generations). A terminal gets
   * each as it comes (its bar is redrawn at most every 100 ms anyway).
   */
  let held: Array<string> | null = null;
  let heldSize = 0;
  /** Write what is held, and go on holding. */
  const release = (): void => {
    if (held === null || held.length === 0) return;
    writeOut(held.join(""));
    held = [];
    heldSize = 0;
  };
  const write = (text: string) => {
    if (held === null) return writeOut(text);
    held.push(text);
    heldSize += text.length;
    if (heldSize >= HELD_LIMIT) release();
  };
  const reverted: Array<string> = [];
  let began = performance.now();
  let total = 0;
  let reverting = 0;
  let stepStart = began;
  /**
   * The head of the running step's line, until its end is written. On a terminal it is written at
   * once and the end follows on the same line; elsewhere (a log, a pipe another program reads) only
   * whole lines are written, so nothing else written meanwhile can land in the middle of one.
   */
  let open: string | null = null;
  let openShown = false;
  let bar = false;
  let barShown = false;
  let lastDraw = 0;

  const clearBar = () => {
    if (barShown) write("\r\u001b[K");
    barShown = false;
  };
  const head = (phase: "forward" | "revert", index: number, step: Step.Step) => {
    const count = phase === "forward" ? total : reverting;
    return `[${phase === "revert" ? "revert " : ""}${index + 1}${count > 0 ? `/${count}` : ""}] ${Escape.line(Step.describe(step))} ${st.symbol.ellipsis}`;
  };
  const drawBar = (done: number, step: Step.Step, force: boolean) => {
    const now = performance.now();
    if (!force && now - lastDraw < REDRAW_MS) return;
    lastDraw = now;
    const width = 24;
    const filled = total === 0 ? 0 : Math.round((done / total) * width);
    const text = `[${st.symbol.full.repeat(filled)}${st.symbol.empty.repeat(width - filled)}] ${done}/${total}  ${seconds(now - began)}  ${Escape.line(Step.describe(step))}`;
    write(`\r\u001b[K${text.slice(0, Math.max(10, terminal.columns - 1))}`);
    barShown = true;
  };

  const onEvent = (event: Steps.Event): void => {
    switch (event._tag) {
      case "Burst":
        if (event.edge === "start" && !terminal.interactive) held = [];
        else if (event.edge === "end") {
          release();
          held = null;
        }
        return;
      case "Output":
        clearBar();
        if (open !== null) write(openShown ? "\n" : `${open}\n`);
        open = null;
        write(`  | ${Escape.line(event.line)}\n`);
        return;
      case "StepStarted":
      case "RevertStarted": {
        const phase = event._tag === "StepStarted" ? "forward" : "revert";
        stepStart = performance.now();
        if (phase === "revert") {
          reverted.push(Step.describe(event.step));
          clearBar();
        }
        if (bar && phase === "forward") return drawBar(event.index, event.step, event.index === 0);
        open = head(phase, event.index, event.step);
        openShown = terminal.interactive;
        if (openShown) write(open);
        return;
      }
      case "StepFinished": {
        const took = seconds(performance.now() - stepStart);
        const end = event.ok ? ` ${st.green("ok")} ${took}` : ` ${st.red("failed")} ${took}`;
        if (bar && event.phase === "forward") {
          if (event.ok && event.index + 1 < total) return drawBar(event.index + 1, event.step, false);
          clearBar();
          write(event.ok ? `[${total}/${total}] ${total} steps ${st.symbol.ellipsis} ${st.green("ok")} ${seconds(performance.now() - began)}\n` : `${head("forward", event.index, event.step)}${end}\n`);
          return;
        }
        // After output lines the step's own line is written again, so each line reads on its own.
        const again = open === null || !openShown ? head(event.phase, event.index, event.step) : "";
        write(`${again}${end}\n`);
        open = null;
        return;
      }
    }
  };

  return {
    onEvent,
    onPlan: (plan) => {
      total = plan.steps.length;
      reverting = plan.revert.length;
      bar = terminal.interactive && total > BAR_THRESHOLD;
      began = performance.now();
    },
    reverted,
    elapsed: () => seconds(performance.now() - began),
  };
};
