// Keyterm boosting on real audio through the server: a rare word the shipped model misspells
// with greedy decoding is transcribed right once it is given as a keyterm, and the keyterm does
// not leak into audio that doesn't contain it.
import { ok, strictEqual } from "node:assert/strict";
import { startServer } from "../tools/server.ts";
import { finalTurnsOf } from "./helpers/ws_client.ts";
import { fixture } from "./helpers/wav.ts";

async function transcript(wsUrl: string, wav: string, keyterms: string[] = []): Promise<string> {
  const query = new URLSearchParams({ sample_rate: "16000", speech_model: "universal-streaming-english" });
  if (keyterms.length) query.set("keyterms_prompt", JSON.stringify(keyterms));
  const turns = await finalTurnsOf(wsUrl, query, fixture(wav));
  return turns.map((t) => t.transcript).join(" ");
}

Deno.test({
  name: "keyterms: rare words missed without the keyterm are found with it",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    // Paced faster than real time: the burst allowance covers these short clips.
    const server = await startServer({ RATE_BURST_SECONDS: "30" });
    try {
      for (const [wav, word] of [["kubernetes.wav", "kubernetes"], ["zyphora.wav", "zyphora"]]) {
        await t.step(word, async () => {
          const plain = await transcript(server.wsUrl, wav);
          ok(plain.length > 0 && !plain.includes(word), `without the keyterm: "${plain}"`);
          const boosted = await transcript(server.wsUrl, wav, [word]);
          ok(boosted.split(" ").includes(word), `with the keyterm: "${boosted}"`);
        });
      }
      await t.step("a keyterm absent from the audio changes nothing", async () => {
        const plain = await transcript(server.wsUrl, "weather.wav");
        strictEqual(await transcript(server.wsUrl, "weather.wav", ["kubernetes", "zyphora"]), plain);
      });
    } finally {
      await server.stop();
    }
  },
});
