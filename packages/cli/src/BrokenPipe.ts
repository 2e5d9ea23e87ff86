/**
 * A reader that goes away (`switchyard apply … | head -1`) must not abort what the command is
 * doing: half an apply is worse than lost output. Writes to a closed standard output or error
 * fail with EPIPE (node ignores SIGPIPE); those failures are dropped, any other is still raised.
 */
export const ignore = (): void => {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code !== "EPIPE") throw e;
    });
  }
};
