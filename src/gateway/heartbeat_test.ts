import { deepStrictEqual } from "node:assert/strict";
import { HeartbeatMeter } from "./heartbeat.ts";

Deno.test("heartbeat: audio against time, the ingest rate over the last 5 s, the peak speech probability", () => {
  const meter = new HeartbeatMeter(0);
  for (let t = 0; t < 10_000; t += 100) meter.audio(100, t); // real time for 10 s
  meter.speechProbability(0.3);
  meter.speechProbability(0.9);
  deepStrictEqual(meter.take(10_000), {
    type: "Heartbeat",
    total_audio_received_ms: 10_000,
    total_duration_ms: 10_000,
    realtime_factor: 1,
    max_speech_probability: 0.9,
  });
  // the client stops sending: the rate falls, the total stays; the peak started again
  const later = meter.take(12_500);
  deepStrictEqual([later.total_audio_received_ms, later.realtime_factor, later.max_speech_probability], [
    10_000,
    0.5,
    0,
  ]);
  // twice real time in a burst
  const fast = new HeartbeatMeter(0);
  for (let t = 0; t < 1000; t += 50) fast.audio(100, t);
  deepStrictEqual(fast.take(1000).realtime_factor, 2);
});
