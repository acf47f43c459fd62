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
  chromium: { tests: "the demo page in a browser (tests/demo_test.ts)", packages: ["chromium"] },
  nginx: {
    tests: "nginx routing and the stack (tests/deploy_test.ts, tests/stack_test.ts)",
    packages: ["nginx-light"],
  },
  compose: { tests: "docker-compose config (tests/deploy_test.ts)", packages: ["docker-compose"] },
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
