// Command-line flags of the benchmarks: `--name value`, `--name=value`, or a bare `--name` (true).
export class Flags {
  private readonly values = new Map<string, string>();
  private readonly read = new Set<string>();

  constructor(args: readonly string[]) {
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (!arg.startsWith("--")) throw new Error(`unexpected argument ${arg}; flags look like --name value`);
      const eq = arg.indexOf("=");
      if (eq > 0) {
        this.values.set(arg.slice(2, eq), arg.slice(eq + 1));
      } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        this.values.set(arg.slice(2), args[++i]);
      } else {
        this.values.set(arg.slice(2), "true");
      }
    }
  }

  string(name: string): string | undefined {
    this.read.add(name);
    return this.values.get(name);
  }

  number(name: string, fallback: number): number;
  number(name: string): number | undefined;
  number(name: string, fallback?: number): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new Error(`--${name} wants a number, got ${raw}`);
    return n;
  }

  /** A comma-separated list of numbers: `--sessions 1,2,4`. */
  numbers(name: string, fallback: number[]): number[] {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const list = raw.split(",").map(Number);
    if (!list.length || list.some((n) => !Number.isFinite(n) || n <= 0)) {
      throw new Error(`--${name} wants positive numbers separated by commas, got ${raw}`);
    }
    return list;
  }

  /** Fails on flags no benchmark asked for (a typo would otherwise be ignored silently). */
  assertAllRead(): void {
    const unknown = [...this.values.keys()].filter((k) => !this.read.has(k));
    if (unknown.length) throw new Error(`unknown flag(s): ${unknown.map((k) => `--${k}`).join(", ")}`);
  }
}
