// The multilingual route end to end: ml-default transcribes Spanish, French, German and English clips
// (espeak-ng voices with the variant f4, never trained on; weather.wav is en-us, a trained voice)
// and, with language_detection, names each turn's language; without it the Turn carries no
// language fields.
import { ok, strictEqual } from "node:assert/strict";
import { startServer } from "../tools/server.ts";
import { finalTurnsOf } from "./helpers/ws_client.ts";
import { fixture } from "./helpers/wav.ts";
import { normalizeForWer, wordErrors } from "../src/eval/wer.ts";

async function finalTurns(wsUrl: string, wav: string, languageDetection: boolean, languageCodes?: string) {
  const query = new URLSearchParams({
    sample_rate: "16000",
    speech_model: "universal-streaming-multilingual",
    language_detection: String(languageDetection),
  });
  if (languageCodes) query.set("language_codes", languageCodes);
  return await finalTurnsOf(wsUrl, query, fixture(wav));
}

/** Character error rate allowed per clip: the multilingual model is small and trained on two CPU
 * cores, so it spells many words by ear ("chiero" for "quiero"); the words must still be there. */
const MAX_CER = 0.25;

function characterErrorRate(reference: string, heard: string): number {
  const chars = (text: string) => [...normalizeForWer(text).join(" ")];
  return wordErrors(chars(reference), chars(heard)) / chars(reference).length;
}

const CLIPS: [string, string, string][] = [
  ["hola_es.wav", "es", "hola quiero reservar una mesa para dos personas el viernes"],
  ["bonjour_fr.wav", "fr", "bonjour je voudrais annuler ma commande s'il vous plaît"],
  ["termin_de.wav", "de", "guten tag ich möchte einen termin beim arzt am montag"],
  ["weather.wav", "en", "what is the weather like in boston today"],
];

Deno.test({
  name: "multilingual: words and the language of each turn",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const server = await startServer({ RATE_BURST_SECONDS: "30" });
    try {
      for (const [wav, language, words] of CLIPS) {
        await t.step(`${wav} is ${language}`, async () => {
          const turns = await finalTurns(server.wsUrl, wav, true);
          ok(turns.length > 0, "a final turn");
          const heard = turns.map((x) => x.transcript).join(" ");
          const cer = characterErrorRate(words, heard);
          ok(cer <= MAX_CER, `"${heard}": character error rate ${cer.toFixed(2)} against "${words}"`);
          for (const turn of turns) {
            strictEqual(turn.language_code, language, `language of "${turn.transcript}"`);
            const confidence = turn.language_confidence as number;
            ok(confidence > 0.5 && confidence <= 1, `language_confidence ${confidence}`);
          }
        });
      }
      await t.step("language_codes: each turn's language is one of the session's", async () => {
        const spanish = await finalTurns(server.wsUrl, "hola_es.wav", true, '["es","fr"]');
        ok(spanish.length > 0 && spanish.every((x) => x.language_code === "es"));
        // a session that expects only French hears its turns as French, with full confidence among them
        const french = await finalTurns(server.wsUrl, "hola_es.wav", true, '["fr"]');
        ok(french.length > 0 && french.every((x) => x.language_code === "fr" && x.language_confidence === 1));
      });
      await t.step("without language_detection the Turn has no language fields", async () => {
        const turns = await finalTurns(server.wsUrl, "hola_es.wav", false);
        ok(turns.length > 0);
        for (const turn of turns) ok(!("language_code" in turn) && !("language_confidence" in turn));
      });
    } finally {
      await server.stop();
    }
  },
});
