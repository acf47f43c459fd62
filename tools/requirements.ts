// What the tests need beyond Deno, as Debian packages: `deno task test` installs them as root
// (tools/run_tests.ts) and the tests that need a missing one are ignored with the reason in their name.
// One list, so that the set-up and the tests cannot disagree about what is needed.

export interface Requirement {
  /** which tests need it */
  tests: string;
  packages: string[];
}

export const REQUIREMENTS = {
  pythonClient: {
    tests: "the Python example client (tests/python_client_test.ts, tests/examples_test.ts)",
    packages: ["python3-websockets"],
  },
  openssl: { tests: "wss:// with the official SDK (tests/sdk_test.ts)", packages: ["openssl"] },
  pythonSdk: {
    tests: "the official Python SDK (tests/python_sdk_test.ts), in a venv (pythonSdkMissing below)",
    packages: ["python3-venv", "openssl"],
  },
  chromium: { tests: "the demo page in a browser (tests/demo_test.ts)", packages: ["chromium"] },
  nginx: {
    tests: "nginx routing and the stack (tests/deploy_test.ts, tests/stack_test.ts)",
    packages: ["nginx-light"],
  },
  compose: { tests: "docker-compose config (tests/deploy_test.ts)", packages: ["docker-compose"] },
  ffmpeg: { tests: "aac input, decoded by ffmpeg (tests/compressed_audio_test.ts)", packages: ["ffmpeg"] },
  recipe: {
    tests: "the training recipe's smoke runs (tests/recipe_smoke_test.ts)",
    packages: [
      // Debian's PyTorch stack, run by /usr/bin/python3
      ...[
        "python3-torch",
        "python3-torchaudio",
        "python3-onnx",
        "python3-sentencepiece",
        "libopenblas0-pthread",
      ],
      "libsox-fmt-all",
      // word lists, TTS engines and the corpus's texts
      ...["wamerican", "wspanish", "wfrench", "wngerman", "witalian", "wportuguese"],
      ...["espeak-ng", "flite", "festival", "festvox-kallpc16k", "festvox-us-slt-hts"],
      ...["fortunes", "fortunes-min", "fortunes-es", "fortunes-de", "fortunes-it", "fortunes-br"],
      ...["manpages-fr", "manpages-es", "manpages-de", "manpages-it", "manpages-pt-br"],
    ],
  },
} satisfies Record<string, Requirement>;

export type RequirementName = keyof typeof REQUIREMENTS;

/** The packages dpkg does not list as installed; all of them where there is no dpkg. */
export function missingPackages(packages: readonly string[]): string[] {
  if (!packages.length) return [];
  try {
    const out = new Deno.Command("dpkg-query", {
      args: ["-W", "-f", "${Package} ${db:Status-Status}\n", ...packages],
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    const installed = new Set(
      new TextDecoder().decode(out.stdout).split("\n").filter((l) => l.endsWith(" installed")).map((l) =>
        l.split(" ")[0]
      ),
    );
    return packages.filter((p) => !installed.has(p));
  } catch {
    return [...packages]; // no dpkg: not a Debian machine
  }
}

/** Why tests needing `name` cannot run here (for Deno.test's `ignore` and name), or undefined. */
export function unmet(name: RequirementName): string | undefined {
  const missing = missingPackages(REQUIREMENTS[name].packages);
  return missing.length
    ? `skipped: needs ${missing.join(" ")} (as root, deno task test installs it)`
    : undefined;
}

/** A test name with the reason it is skipped, if it is. */
export function named(name: string, reason: string | undefined): string {
  return reason ? `${name} [${reason}]` : name;
}

// The official AssemblyAI Python SDK, pinned, from PyPI: `deno task test` pip-installs it into a
// git-ignored venv made by Debian's python3 (python3-venv above). EARSHOT_TEST_VENV moves the venv.
export const PYTHON_SDK = { name: "assemblyai", version: "1.8.2" } as const;
export const PYTHON_SDK_PIN = `${PYTHON_SDK.name}==${PYTHON_SDK.version}`;
const ROOT = new URL("../", import.meta.url).pathname;

/** The venv holding the Python SDK (absolute). */
export function pythonSdkVenv(): string {
  const venv = Deno.env.get("EARSHOT_TEST_VENV") ?? ".venv-tests";
  return venv.startsWith("/") ? venv : `${ROOT}${venv}`;
}

/** The venv's python, which runs the Python SDK tests. */
export function pythonSdkPython(): string {
  return `${pythonSdkVenv()}/bin/python`;
}

function pythonSdkVersion(): string | undefined {
  try {
    const out = new Deno.Command(pythonSdkPython(), {
      args: ["-c", `import ${PYTHON_SDK.name}; print(${PYTHON_SDK.name}.__version__)`],
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : undefined;
  } catch {
    return undefined; // no venv
  }
}

/** Why the Python SDK tests cannot run here (Debian packages or the pinned SDK), or undefined. */
export function pythonSdkMissing(): string | undefined {
  const packages = unmet("pythonSdk");
  if (packages) return packages;
  return pythonSdkVersion() === PYTHON_SDK.version
    ? undefined
    : `skipped: needs ${PYTHON_SDK_PIN} in ${
      pythonSdkVenv().replace(ROOT, "")
    } (deno task test pip-installs it)`;
}

/** Makes the venv anew and pip-installs the pinned SDK when it is not there; false when that failed. */
export async function ensurePythonSdk(): Promise<boolean> {
  if (pythonSdkVersion() === PYTHON_SDK.version) return true;
  const venv = pythonSdkVenv();
  // Debian's python3, whose venv module python3-venv brings; elsewhere the one on PATH
  const python = await exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  const run = async (cmd: string, args: string[]) => {
    try {
      return (await new Deno.Command(cmd, { args, stdout: "null", stderr: "inherit" }).output()).success;
    } catch {
      return false; // no python
    }
  };
  console.log(`test set-up: pip install ${PYTHON_SDK_PIN} into ${venv.replace(ROOT, "")}`);
  // --clear empties the folder: only a venv's, or a new one
  const isVenv = await exists(`${venv}/pyvenv.cfg`) || !await exists(venv);
  const ok = isVenv && await run(python, ["-m", "venv", "--clear", venv]) &&
    await run(`${venv}/bin/pip`, [
      "install",
      "--quiet",
      "--disable-pip-version-check",
      "--timeout=30",
      "--retries=2",
      PYTHON_SDK_PIN,
    ]);
  if (!ok) console.log(`test set-up: pip install ${PYTHON_SDK_PIN} failed`);
  return ok && pythonSdkVersion() === PYTHON_SDK.version;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
