// For the WebGPU correctness tests: Mesa 25's lavapipe (a Vulkan driver on the CPU) from Debian's
// bookworm-backports; bookworm's own Mesa is too old. Nothing to do on other releases.
import { aptGet, installedVersion } from "./apt.ts";

const SOURCES = "/etc/apt/sources.list.d";

function readOr(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}

function aptSourceTexts(): string[] {
  const files = [...Deno.readDirSync(SOURCES)].filter((e) => /\.(list|sources)$/.test(e.name));
  return [readOr("/etc/apt/sources.list"), ...files.map((e) => readOr(`${SOURCES}/${e.name}`))];
}

/** The mirror that serves bookworm (deb822 `.sources` or one-line `.list` form), with its key. */
function bookwormMirror(texts: string[]): { uri: string; signedBy?: string } | undefined {
  for (const text of texts) {
    for (const stanza of text.split(/\n\s*\n/)) {
      const field = (name: string) => stanza.match(new RegExp(`^${name}:\\s*(\\S+)`, "m"))?.[1];
      if (/^Suites:.*\bbookworm(\s|$)/m.test(stanza) && field("URIs")) {
        return { uri: field("URIs")!, signedBy: field("Signed-By") };
      }
    }
    const line = text.match(/^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/m);
    if (line) return { uri: line[1] };
  }
}

export async function setUpBackportsMesa(): Promise<void> {
  if (!/^VERSION_CODENAME=bookworm$/m.test(readOr("/etc/os-release"))) return;
  const texts = aptSourceTexts();
  if (!texts.some((t) => /^[^#]*bookworm-backports/m.test(t))) {
    const mirror = bookwormMirror(texts);
    if (!mirror) return;
    const signed = mirror.signedBy ? `Signed-By: ${mirror.signedBy}\n` : "";
    await Deno.writeTextFile(
      `${SOURCES}/bookworm-backports.sources`,
      `Types: deb\nURIs: ${mirror.uri}\nSuites: bookworm-backports\nComponents: main\n${signed}`,
    );
    console.log(`test set-up: added bookworm-backports (${mirror.uri})`);
  }
  if (installedVersion("mesa-vulkan-drivers")?.includes("bpo")) return;
  console.log("test set-up: apt-get install -t bookworm-backports mesa-vulkan-drivers");
  if (
    !(await aptGet("update") &&
      await aptGet("install", "-y", "-t", "bookworm-backports", "mesa-vulkan-drivers"))
  ) {
    console.log("test set-up: Mesa from bookworm-backports could not be installed");
  }
}
