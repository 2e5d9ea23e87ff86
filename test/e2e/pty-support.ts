/**
 * The binary on a pseudo-terminal (python3's `pty`), for the prompts that only a terminal gets:
 * each answer is typed once the text before it has appeared, in order.
 */
import { spawn } from "node:child_process";
import { BIN } from "./support.js";

/** Whether python3 with `pty` is there; the tests that need a terminal skip without it. */
export const hasPython = await new Promise<boolean>((resolve) => {
  const child = spawn("python3", ["-c", "import pty"], { stdio: "ignore" });
  child.on("error", () => resolve(false));
  child.on("close", (code) => resolve(code === 0));
});

/** argv: the number of answers, then each answer as WAIT-FOR TYPE, then the program and its arguments. */
const DRIVER = `
import os, pty, select, sys, time
n = int(sys.argv[1])
answers = [(sys.argv[2 + 2 * i].encode(), sys.argv[3 + 2 * i].encode("latin1")) for i in range(n)]
program = sys.argv[2 + 2 * n:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(program[0], program)
out, deadline = b"", time.time() + 30
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.1)
    if ready:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    if answers and answers[0][0] in out:
        os.write(fd, answers.pop(0)[1])
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace"))
sys.exit(os.waitstatus_to_exitcode(status))
`;

/** `switchyard --root ROOT ARGS` on a terminal, typing each `[waitFor, type]` answer in turn. */
export const onTerminal = (root: string, answers: ReadonlyArray<readonly [string, string]>, ...args: ReadonlyArray<string>): Promise<{ code: number; output: string }> =>
  new Promise((resolve, reject) => {
    const argv = ["-c", DRIVER, String(answers.length), ...answers.flat(), process.execPath, BIN, "--root", root, ...args];
    const child = spawn("python3", argv, { env: { ...process.env, TZ: "UTC" } });
    const out: Array<Buffer> = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, output: Buffer.concat(out).toString("utf8") }));
  });
