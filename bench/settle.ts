// Settling benchmark: how long after a word's audio reaches the engine the word first shows as
// final (word.is_final) in universal partials, per decoder. A beam search marks a word final only
// once every prefix within the settle margin of the best agrees on it (the others are dropped), or,
// without a margin, every live prefix: a wider beam settles later; final turns do not wait.
// One stream per clip, all paced at real time together, one decoder after another.
import { readWav } from "../src/client/wav.ts";
import { benchClipParts, percentile } from "./audio.ts";
import { earshotService, MODEL, runEarshot } from "./asr_engines.ts";
import type { Flags } from "./flags.ts";
import { type DecoderSettings, DEFAULT_BEAM, DEFAULT_SETTLE_MARGIN } from "../src/engine/decoders.ts";

export interface SettleOptions {
  /** Beam widths to compare with greedy. */
  beams: number[];
  /** Settle margins (log units) to try with each width; Infinity: every live prefix must agree. */
  margins: number[];
  /** A folder of 16 kHz PCM16 WAV files (e.g. an evaluation set); default: the test fixtures. */
  clips?: string;
  /** At most this many clips from the folder, in name order. */
  limit: number;
}

export function settleOptions(flags: Flags): SettleOptions {
  return {
    beams: flags.numbers("beams", [8, 16, DEFAULT_BEAM]),
    // Every width also runs without a margin, as the beam search settled before margins.
    margins: [...flags.numbers("margins", [DEFAULT_SETTLE_MARGIN]), Infinity],
    clips: flags.string("clips"),
    limit: flags.number("limit", 16),
  };
}

export async function benchSettle(o: SettleOptions): Promise<Record<string, unknown>> {
  const clips = o.clips ? clipsIn(o.clips, o.limit) : benchClipParts();
  const seconds = clips.reduce((n, c) => n + c.length, 0) / 32000;
  console.log(
    `Settling, model ${MODEL}: ${clips.length} clips (${seconds.toFixed(0)} s) from ${
      o.clips ?? "the test fixtures"
    }, paced at real time`,
  );
  console.log("decoder | words | audio -> word final p50 | p90 | max");
  const decoders: [string, DecoderSettings][] = [
    ["greedy", { choice: "greedy" }],
    ...o.beams.flatMap((beam) =>
      o.margins.map((settleMargin): [string, DecoderSettings] => [
        `beam ${beam} + LM, settling on ${
          settleMargin === Infinity ? "every live prefix" : `prefixes within ${settleMargin}`
        }`,
        { choice: "auto", beam, settleMargin },
      ])
    ),
  ];
  const rows: Record<string, unknown>[] = [];
  for (const [name, decoder] of decoders) {
    const service = await earshotService(true, decoder);
    const { latencies } = await runEarshot(service, clips, true, "settled");
    await service.stop();
    const [p50, p90, max] = [50, 90, 100].map((p) => percentile(latencies, p));
    console.log(
      `${name} | ${latencies.length} | ${p50.toFixed(0)} ms | ${p90.toFixed(0)} ms | ${max.toFixed(0)} ms`,
    );
    rows.push({
      decoder: name,
      beam: decoder.beam ?? null,
      settle_margin: decoder.settleMargin === Infinity ? "all" : decoder.settleMargin,
      words: latencies.length,
      p50,
      p90,
      max,
    });
  }
  return { clips: o.clips ?? "fixtures", rows };
}

function clipsIn(dir: string, limit: number): Uint8Array[] {
  const names = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".wav")).sort();
  if (!names.length) throw new Error(`no .wav files in ${dir}`);
  return names.slice(0, limit).map((name) => {
    const wav = readWav(Deno.readFileSync(`${dir}/${name}`));
    if (wav.sampleRate !== 16000 || wav.encoding !== "pcm_s16le") {
      throw new Error(`${dir}/${name}: want 16 kHz PCM16 WAV`);
    }
    return wav.data;
  });
}
