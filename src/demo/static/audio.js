// The audio graph: a source (microphone or a decoded file) -> low-pass -> worklet, which posts
// 16 kHz PCM16 chunks. Both sources share this path, so a file is paced by the audio clock.

export class AudioCapture {
  /** @param {(pcm: ArrayBuffer) => void} onChunk */
  constructor(onChunk) {
    // Created synchronously in the click handler: browsers only let a context start from a gesture.
    this.context = new AudioContext();
    this.onChunk = onChunk;
    this.source = null;
    this.stream = null;
    this.flushed = null;
  }

  /** Loads the worklet and builds filter -> worklet; call before a source. */
  async open(chunkMs) {
    await this.context.audioWorklet.addModule("/demo/worklet.js");
    this.worklet = new AudioWorkletNode(this.context, "pcm16-downsampler", {
      processorOptions: { chunkMs },
    });
    this.worklet.port.onmessage = (e) => {
      if (e.data.pcm.byteLength) this.onChunk(e.data.pcm);
      if (e.data.last) this.flushed?.();
    };
    // Anti-aliasing below the 8 kHz Nyquist limit of the 16 kHz output.
    this.filter = new BiquadFilterNode(this.context, { type: "lowpass", frequency: 7000 });
    this.filter.connect(this.worklet);
    // Chrome only pulls nodes that reach the destination; the worklet outputs silence.
    this.worklet.connect(this.context.destination);
    await this.context.resume();
  }

  async useMicrophone() {
    // Browser voice processing (echo cancel, noise suppression, AGC) hurts recognition.
    this.stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
    if (this.context.state === "closed") return; // the session ended while the permission prompt was up
    this.source = this.context.createMediaStreamSource(this.stream);
    this.source.connect(this.filter);
  }

  /** Plays a file at real time (also to the speakers) and calls `onEnded` when it is over. */
  async useFile(file, onEnded) {
    const buffer = await this.context.decodeAudioData(await file.arrayBuffer());
    const source = new AudioBufferSourceNode(this.context, { buffer });
    source.connect(this.filter);
    source.connect(this.context.destination);
    source.onended = () => onEnded();
    source.start();
    this.source = source;
  }

  /** Stops the source and resolves once the last partial chunk has been handed to onChunk. */
  async stop() {
    if (this.source instanceof AudioBufferSourceNode) {
      this.source.onended = null;
      try {
        this.source.stop();
      } catch { /* already ended */ }
    }
    this.source?.disconnect();
    this.stream?.getTracks().forEach((t) => t.stop());
    if (this.worklet && this.context.state === "running") {
      const done = new Promise((resolve) => (this.flushed = resolve));
      this.worklet.port.postMessage("flush");
      await done;
    }
    await this.close();
  }

  async close() {
    if (this.context.state !== "closed") await this.context.close();
  }
}
