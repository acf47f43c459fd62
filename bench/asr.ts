// ASR engine benchmark: Earshot vs sherpa-onnx-node on the same model file (en-default, or any
// model directory with --model), same audio, one CPU thread each, measured side by side in one run.
import { benchClip, percentile } from "./audio.ts";
import { earshotService, MODEL, runEarshot, runSherpa } from "./asr_engines.ts";
import type { Flags } from "./flags.ts";

export interface AsrOptions {
  streams: number[];
  pacedFraction: number;
  /** Any model directory the engine loads (`--model DIR`): each model family gets its rows. */
  model: string;
}

export function asrOptions(flags: Flags): AsrOptions {
  return {
    streams: flags.numbers("streams", [1, 8, 32, 64]),
    pacedFraction: flags.number("paced-fraction", 0.5),
    model: flags.string("model") ?? MODEL,
  };
}

export async function benchAsr(opts: AsrOptions): Promise<Record<string, unknown>> {
  const clip = benchClip();
  const model = opts.model;
  const service = await earshotService(true, { choice: "greedy" }, model);
  const rows: Record<string, unknown>[] = [];
  console.log(
    `ASR engine, model ${model}, ${(clip.length / 32000).toFixed(1)} s clip per stream, 1 thread each`,
  );
  console.log("streams/core = audio seconds per CPU second of the whole process (all threads)");
  console.log(
    "streams | earshot wall RTF | sherpa wall RTF | earshot streams/core | sherpa streams/core | ratio",
  );
  let bestEarshot = 0;
  let bestSherpa = 0;
  for (const n of opts.streams) {
    const e = await runEarshot(service, Array(n).fill(clip), false);
    const s = await runSherpa(n, clip, false, model);
    const eRtf = e.wallSeconds / e.audioSeconds;
    const sRtf = s.wallSeconds / s.audioSeconds;
    bestEarshot = Math.max(bestEarshot, 1 / eRtf);
    bestSherpa = Math.max(bestSherpa, 1 / sRtf);
    console.log(
      `${n} | ${eRtf.toFixed(4)} | ${sRtf.toFixed(4)} | ${(1 / eRtf).toFixed(0)} | ${
        (1 / sRtf).toFixed(0)
      } | ${(sRtf / eRtf).toFixed(2)}x`,
    );
    rows.push({ streams: n, earshot_rtf: eRtf, sherpa_rtf: sRtf });
  }
  // Latency at a real-time load of a fraction of the measured capacity.
  const load = Math.max(1, Math.floor(Math.min(bestEarshot, bestSherpa) * opts.pacedFraction));
  const e = await runEarshot(service, Array(load).fill(clip), true);
  const s = await runSherpa(load, clip, true, model);
  const line = (name: string, r: typeof e) =>
    `${name}: ${load} streams paced at real time, audio -> words p50 ${
      percentile(r.latencies, 50).toFixed(0)
    } ms, p99 ${percentile(r.latencies, 99).toFixed(0)} ms (${r.latencies.length} words)`;
  console.log(line("earshot", e));
  console.log(line("sherpa-onnx", s));
  console.log(
    `streams per core at real time (best batch): earshot ${bestEarshot.toFixed(0)}, sherpa-onnx ${
      bestSherpa.toFixed(0)
    }, ratio ${(bestEarshot / bestSherpa).toFixed(2)}x`,
  );
  await service.stop();
  // sherpa-onnx runs no VAD: Earshot without Silero VAD does the same work.
  const plain = await earshotService(false, { choice: "greedy" }, model);
  const largest = Math.max(...opts.streams);
  const p = await runEarshot(plain, Array(largest).fill(clip), false);
  await plain.stop();
  const noVad = p.audioSeconds / p.wallSeconds;
  const vadShare = 1 - bestEarshot / Math.max(bestEarshot, noVad);
  console.log(
    `earshot without VAD (the same work as sherpa-onnx), ${largest} streams: ${
      noVad.toFixed(0)
    } streams/core, ` +
      `ratio ${(noVad / bestSherpa).toFixed(2)}x; Silero VAD costs ${
        (100 * vadShare).toFixed(0)
      }% of capacity`,
  );
  // The server's default decoder: prefix beam search with the model's piece language model.
  const fused = await earshotService(true, { choice: "auto" }, model);
  const f = await runEarshot(fused, Array(largest).fill(clip), false);
  await fused.stop();
  const withLm = f.audioSeconds / f.wallSeconds;
  // The same without the word list, to show what it costs.
  const unlisted = await earshotService(true, { choice: "auto", lexiconPenalty: 0 }, model);
  const u = await runEarshot(unlisted, Array(largest).fill(clip), false);
  await unlisted.stop();
  const withoutLexicon = u.audioSeconds / u.wallSeconds;
  console.log(
    `earshot default decoder (beam search + language model), ${largest} streams: ${withLm.toFixed(0)} ` +
      `streams/core, ${(withLm / bestEarshot).toFixed(2)}x of greedy with VAD; without the word list ` +
      `${withoutLexicon.toFixed(0)} streams/core (${(withLm / withoutLexicon).toFixed(2)}x)`,
  );
  return {
    rows,
    streams_per_core: {
      earshot: bestEarshot,
      sherpa: bestSherpa,
      earshot_without_vad: noVad,
      earshot_beam_lm: withLm,
      earshot_beam_lm_without_lexicon: withoutLexicon,
    },
    latency_ms: {
      load,
      earshot: { p50: percentile(e.latencies, 50), p99: percentile(e.latencies, 99) },
      sherpa: { p50: percentile(s.latencies, 50), p99: percentile(s.latencies, 99) },
    },
  };
}
