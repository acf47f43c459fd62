// End-to-end: headless Chromium opens the demo page served by the real server (src/serve.ts),
// hears tests/fixtures/numbers.wav as its microphone ("my phone number is five five five one two three four")
// and the captions must show words. Word accuracy is only asserted once the shipped model has
// been trained (models/en-default/model.json training.steps >= 1000); before that it is noise.
import { ok, strictEqual } from "node:assert/strict";
import type { Page } from "playwright-core";
import { bestMatch } from "./helpers/audio_match.ts";
import { launchChromium } from "./helpers/browser.ts";
import { startServer } from "../tools/server.ts";
import { fixture } from "./helpers/wav.ts";
import { TestClient } from "./helpers/ws_client.ts";
import { named, unmet } from "../tools/requirements.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const WAV = `${ROOT}tests/fixtures/numbers.wav`;
const SCREENSHOT = `${ROOT}bench/results/demo.png`;
const TRAINED_STEPS = 1000;

const NO_CHROMIUM = unmet("chromium");

function modelSteps(): number {
  try {
    const meta = JSON.parse(Deno.readTextFileSync(`${ROOT}models/en-default/model.json`));
    return Number(meta?.training?.steps ?? 0);
  } catch {
    return 0;
  }
}

/** The page keeps where a run stands in body[data-state]. */
const state = (page: Page, want: string, timeout = 30_000) =>
  page.waitForSelector(`body[data-state="${want}"]`, { state: "attached", timeout });

async function captionWords(page: Page): Promise<{ final: string[]; partial: string[] }> {
  return {
    final: await page.locator("#captions .word.final").allTextContents(),
    partial: await page.locator("#captions .word.partial").allTextContents(),
  };
}

/** Fails the test on script errors in the page rather than on a later, vaguer timeout. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  return errors;
}

Deno.test({
  name: "demo page: GET / serves the page while WebSocket upgrades on / still start sessions",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const server = await startServer();
    try {
      const page = await fetch(`${server.url}/`);
      strictEqual(page.status, 200);
      ok((await page.text()).includes("/demo/app.js"));
      const client = new TestClient(`${server.wsUrl}/?sample_rate=16000`);
      await client.opened();
      await client.waitFor("Begin");
      client.send(JSON.stringify({ type: "Terminate" }));
      await client.waitFor("Termination");
      client.close();
      await client.closed;
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name: named("demo page: microphone and WAV file to live captions in headless Chromium", NO_CHROMIUM),
  ignore: !!NO_CHROMIUM,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const server = await startServer();
    const browser = await launchChromium(WAV);
    try {
      const page = await browser.newPage({ viewport: { width: 1000, height: 720 } });
      const errors = watchErrors(page);
      await page.goto(`${server.url}/`);
      await state(page, "idle");
      let transcript = "";

      await t.step("microphone: words appear while streaming, turns end final", async () => {
        await page.click("#start");
        await state(page, "streaming");
        // On the universal route the last word of a partial Turn is not final yet.
        await page.waitForSelector("#captions .word.partial", { timeout: 30_000 });
        await page.waitForTimeout(4_000); // about one pass of the (looping) fake microphone
        await page.click("#stop");
        await state(page, "done");
        const words = await captionWords(page);
        ok(words.final.length > 0, `final caption words: ${JSON.stringify(words)}`);
        strictEqual(words.partial.length, 0, "after Termination no word is left partial");
        ok(await page.locator("#captions .turn.ended").count() > 0, "a turn paragraph ended");
        const latency = await page.locator("#latency-first").innerText();
        ok(/median \d+ ms/.test(latency), `latency readout: ${latency}`);
        transcript = await page.locator("#captions").innerText();
        await page.waitForTimeout(500); // let the partial-to-final colour transition finish
        await Deno.mkdir(`${ROOT}bench/results`, { recursive: true });
        await page.screenshot({ path: SCREENSHOT, fullPage: true });
      });

      await t.step({
        name: `microphone: "phone" or "number" is heard (model trained >= ${TRAINED_STEPS} steps)`,
        ignore: modelSteps() < TRAINED_STEPS,
        fn: () => ok(/phone|number/i.test(transcript), `transcript: ${transcript}`),
      });

      await t.step("WAV file picker streams the file's audio at 16 kHz in 50 ms chunks", async () => {
        const sent: Uint8Array[] = [];
        page.on("websocket", (ws) =>
          ws.on("framesent", (f) => {
            if (typeof f.payload !== "string") sent.push(new Uint8Array(f.payload));
          }));
        await page.setInputFiles("#file", WAV);
        await state(page, "streaming");
        // The page sends Terminate itself when the file has played.
        await state(page, "done");
        const words = await captionWords(page);
        ok(words.final.length > 0, `final caption words: ${JSON.stringify(words)}`);
        ok((await page.locator("#status").innerText()).startsWith("Done"));

        ok(sent.slice(0, -1).every((c) => c.length === 1600), "every chunk but the last is 50 ms of PCM16");
        const captured = new Uint8Array(sent.reduce((n, c) => n + c.length, 0));
        sent.reduce((at, c) => (captured.set(c, at), at + c.length), 0);
        const reference = fixture("numbers.wav").data;
        ok(captured.length >= reference.length, `${captured.length} bytes sent for ${reference.length}`);
        // The browser resampled to its own rate (often 44.1 or 48 kHz) and the worklet back to 16 kHz.
        const match = bestMatch(
          new Int16Array(captured.buffer),
          new Int16Array(reference.slice().buffer),
        );
        ok(match.correlation > 0.95, `sent audio matches the file: ${JSON.stringify(match)}`);
      });

      strictEqual(errors.length, 0, `page errors: ${errors.join("\n")}`);
    } finally {
      await browser.close();
      await server.stop();
    }
  },
});

Deno.test({
  name: named("demo page: asks for an API key when the server requires one", NO_CHROMIUM),
  ignore: !!NO_CHROMIUM,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const keys = await Deno.makeTempFile({ suffix: ".keys" });
    await Deno.writeTextFile(keys, "demo-test-key\n");
    const server = await startServer({ API_KEYS_FILE: keys });
    const browser = await launchChromium(WAV);
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}/`);
      await state(page, "idle");
      ok(await page.locator("#api-key").isHidden(), "no key field while none is needed");
      await page.click("#start");
      await state(page, "needs-key");
      await page.fill("#api-key", "demo-test-key");
      await page.click("#start");
      await state(page, "streaming");
      await page.click("#stop");
      await state(page, "done");
    } finally {
      await browser.close();
      await server.stop();
      await Deno.remove(keys);
    }
  },
});
