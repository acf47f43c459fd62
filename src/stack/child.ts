// One child process of the stack: started with its output prefixed by its name, kept in memory
// for tests, and stopped with a signal and a deadline.

export interface Child {
  readonly name: string;
  readonly process: Deno.ChildProcess;
  /** Everything the child wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code once the child is gone. */
  readonly exited: Promise<number>;
  /** Sends `signal`, then SIGKILL if it is still running after `graceMs`. */
  stop(signal?: Deno.Signal, graceMs?: number): Promise<number>;
  kill(signal: Deno.Signal): void;
}

export interface ChildOptions {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** Where lines go, prefixed with the child's name; nothing when omitted. */
  echo?: (line: string) => void;
}

export function startChild(o: ChildOptions): Child {
  const process = new Deno.Command(o.command, {
    args: o.args,
    env: o.env,
    cwd: o.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let log = "";
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    let partial = "";
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      log += text;
      const lines = (partial + text).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) o.echo?.(`[${o.name}] ${line}`);
    }
    if (partial) o.echo?.(`[${o.name}] ${partial}`);
  };
  const pumps = Promise.all([pump(process.stdout), pump(process.stderr)]);
  const exited = process.status.then(async (s) => {
    await pumps;
    return s.code;
  });
  const kill = (signal: Deno.Signal) => {
    try {
      process.kill(signal);
    } catch { /* already gone */ }
  };
  return {
    name: o.name,
    process,
    output: () => log,
    exited,
    kill,
    async stop(signal: Deno.Signal = "SIGTERM", graceMs = 15_000) {
      kill(signal);
      const timer = setTimeout(() => kill("SIGKILL"), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
