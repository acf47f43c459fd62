// The demo page's wiring: the form becomes query parameters, a temporary token is minted, audio
// flows from the AudioWorklet to the WebSocket, and Turn messages become captions and latency
// figures. document.body.dataset.state tells tests (and CSS) where a run stands.
import { AudioCapture } from "./audio.js";
import { mintToken, NeedsApiKey } from "./auth.js";
import { Captions } from "./captions.js";
import { LatencyMeter } from "./latency.js";

const CHUNK_MS = 50;
const $ = (id) => document.getElementById(id);
const captions = new Captions($("captions"));
const latency = new LatencyMeter();
/** @type {{ ws: WebSocket, audio: AudioCapture, stopping: boolean, error: string } | null} */
let run = null;

const BUSY = new Set(["connecting", "streaming", "finishing"]);

function setState(state, text) {
  document.body.dataset.state = state;
  $("status").textContent = text;
  const busy = BUSY.has(state);
  $("start").disabled = busy;
  $("file").disabled = busy;
  // Stop only once audio flows: before Begin there is nothing to flush or terminate.
  $("stop").disabled = state !== "streaming";
}

function streamUrl(token) {
  const query = new URLSearchParams({
    sample_rate: "16000",
    encoding: "pcm_s16le",
    speech_model: $("model").value,
    format_turns: String($("format-turns").checked),
    token,
  });
  const terms = $("keyterms").value.split(",").map((t) => t.trim()).filter(Boolean);
  if (terms.length) query.set("keyterms_prompt", JSON.stringify(terms));
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/v3/ws?${query}`;
}

function send(pcm) {
  if (run?.ws.readyState !== WebSocket.OPEN) return;
  run.ws.send(pcm);
  latency.chunkSent(pcm.byteLength / 32); // 16 kHz * 2 bytes = 32 bytes per ms
}

/** @param {(audio: AudioCapture) => Promise<void>} attachSource */
async function start(attachSource) {
  if (run) return;
  const audio = new AudioCapture(send); // before any await: needs the click's user activation
  captions.clear();
  latency.reset();
  showLatency();
  setState("connecting", "Connecting…");
  let token;
  try {
    token = await mintToken($("api-key").value.trim());
    await audio.open(CHUNK_MS);
  } catch (e) {
    await audio.close();
    if (e instanceof NeedsApiKey) {
      $("api-key-row").hidden = false;
      $("api-key").focus();
      const given = $("api-key").value.trim() !== "";
      return setState("needs-key", given ? `API key refused: ${e.message}` : "This server needs an API key");
    }
    return setState("error", String(e.message ?? e));
  }
  const ws = new WebSocket(streamUrl(token));
  ws.binaryType = "arraybuffer";
  run = { ws, audio, stopping: false, error: "" };
  ws.onmessage = (e) => onMessage(JSON.parse(e.data), attachSource);
  ws.onclose = (e) => onClose(e);
}

async function onMessage(m, attachSource) {
  const current = run;
  if (!current) return;
  if (m.type === "Begin") {
    try {
      await attachSource(current.audio);
    } catch (e) {
      current.error = `Audio failed: ${e.message ?? e}`;
      current.ws.close();
      return;
    }
    // The session may have ended (e.g. an Error frame) while the microphone was being opened.
    if (run === current) setState("streaming", `Streaming (session ${m.id})`);
    else await current.audio.stop();
  } else if (m.type === "Turn") {
    captions.update(m);
    latency.observe(m);
    showLatency();
  } else if (m.type === "Termination") {
    setState("done", `Done: ${m.audio_duration_seconds} s of audio`);
  } else if (m.type === "Error" || "error" in m) {
    current.error = m.error; // the legacy form is an object with only `error`
  }
}

async function onClose(e) {
  const ended = run;
  run = null;
  await ended?.audio.close();
  if (document.body.dataset.state === "done") return;
  if (ended?.error) setState("error", ended.error);
  else if (e.code === 1000) setState("done", "Closed");
  else setState("error", `Closed (${e.code}) ${e.reason}`);
}

/** Flushes the last audio, then asks the server to finish; it answers with Termination and closes. */
async function stop() {
  if (!run || run.stopping) return;
  const current = run;
  current.stopping = true;
  setState("finishing", "Finishing…");
  await current.audio.stop();
  if (current.ws.readyState === WebSocket.OPEN) current.ws.send(JSON.stringify({ type: "Terminate" }));
}

function showLatency() {
  $("latency-first").textContent = latency.describe("first");
  $("latency-final").textContent = latency.describe("final");
}

$("start").addEventListener("click", () => start((audio) => audio.useMicrophone()));
$("stop").addEventListener("click", () => stop());
$("file").addEventListener("change", () => {
  const file = $("file").files[0];
  $("file").value = ""; // so picking the same file again starts another run
  if (file) start((audio) => audio.useFile(file, () => stop()));
});
setState("idle", "Ready");
