// `deno task test [deno test args]`: sets up what the tests need, runs them, and says what was
// skipped and why. As root on Debian or Ubuntu it apt-installs the missing packages
// (tools/requirements.ts); otherwise it lists them, and the tests that need them are ignored.
import { aptGet, canApt } from "./apt.ts";
import { setUpBackportsMesa } from "./backports.ts";
import {
  ensurePythonSdk,
  missingPackages,
  PYTHON_SDK_PIN,
  pythonSdkVenv,
  REQUIREMENTS,
} from "./requirements.ts";

const wanted = [...new Set(Object.values(REQUIREMENTS).flatMap((r) => r.packages))];
let missing = missingPackages(wanted);
if (missing.length && canApt) {
  console.log(`test set-up: apt-get install ${missing.join(" ")}`);
  if (!(await aptGet("update") && await aptGet("install", "-y", "--no-install-recommends", ...missing))) {
    console.log("test set-up: apt-get install failed");
  }
  missing = missingPackages(wanted);
}
if (canApt) await setUpBackportsMesa();
// the official Python SDK from PyPI, into a git-ignored venv; its test is ignored if this fails
const pythonSdk = !missing.includes("python3-venv") && await ensurePythonSdk();

const tests = await new Deno.Command(Deno.execPath(), {
  args: ["test", "--allow-all", "--parallel=false", ...Deno.args],
  stdout: "inherit",
  stderr: "inherit",
}).spawn().status;

const unmet = Object.values(REQUIREMENTS).filter((r) => r.packages.some((p) => missing.includes(p)));
if (unmet.length) {
  console.log("\nSkipped for want of Debian packages:");
  for (const r of unmet) {
    console.log(`  ${r.tests}: ${r.packages.filter((p) => missing.includes(p)).join(" ")}`);
  }
  const how = canApt ? "apt-get failed above" : "as root, `deno task test` installs them";
  console.log(`  (${how}; by hand: apt-get install ${missing.join(" ")})`);
}
if (!pythonSdk && !missing.includes("python3-venv")) {
  console.log(`\nSkipped: the official Python SDK test, for want of ${PYTHON_SDK_PIN} in ${pythonSdkVenv()}`);
}
Deno.exit(tests.code);
