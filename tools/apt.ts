// apt-get for the test set-up: only as root on a machine that has it; quiet unless it fails.

export const canApt = Deno.uid() === 0 && (() => {
  try {
    return new Deno.Command("apt-get", { args: ["--version"], stdout: "null" }).outputSync().success;
  } catch {
    return false;
  }
})();

/** Runs apt-get non-interactively; prints its error output and returns false when it fails. */
export async function aptGet(...args: string[]): Promise<boolean> {
  const out = await new Deno.Command("apt-get", {
    args: ["-qq", ...args],
    env: { DEBIAN_FRONTEND: "noninteractive" },
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) console.log(new TextDecoder().decode(out.stderr));
  return out.success;
}

/** The installed version of a package, or undefined. */
export function installedVersion(pkg: string): string | undefined {
  try {
    const out = new Deno.Command("dpkg-query", {
      args: ["-W", "-f", "${db:Status-Status} ${Version}", pkg],
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    const [status, version] = new TextDecoder().decode(out.stdout).split(" ");
    return status === "installed" ? version : undefined;
  } catch {
    return undefined;
  }
}
