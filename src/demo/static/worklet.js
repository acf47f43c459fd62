// AudioWorklet: turns the context's float audio (usually 44.1 or 48 kHz) into 16 kHz mono PCM16 and
// posts fixed-size chunks to the page. The page puts a low-pass filter in front, so the box average
// below only has to decimate, not to stop aliasing on its own.
const TARGET_RATE = 16000;

class Pcm16Downsampler extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const chunkMs = options.processorOptions?.chunkMs ?? 50;
    // `sampleRate` is the worklet global holding the context's rate.
    this.ratio = sampleRate / TARGET_RATE;
    this.chunk = new Int16Array(TARGET_RATE * chunkMs / 1000);
    this.filled = 0;
    this.sum = 0;
    this.count = 0;
    this.phase = 0;
    this.last = 0;
    this.port.onmessage = (e) => {
      if (e.data === "flush") this.flush();
    };
  }

  process(inputs) {
    const channels = inputs[0];
    if (!channels || channels.length === 0) return true;
    for (let i = 0; i < channels[0].length; i++) {
      let x = 0;
      for (const ch of channels) x += ch[i];
      this.sum += x / channels.length;
      this.count++;
      this.phase += 1;
      // One output per `ratio` inputs; the while (not if) also upsamples contexts below 16 kHz.
      while (this.phase >= this.ratio) {
        this.phase -= this.ratio;
        if (this.count) this.last = this.sum / this.count;
        this.push(this.last);
        this.sum = 0;
        this.count = 0;
      }
    }
    return true;
  }

  push(value) {
    const s = Math.max(-1, Math.min(1, value));
    this.chunk[this.filled++] = s < 0 ? s * 0x8000 : s * 0x7fff;
    if (this.filled === this.chunk.length) this.post(false);
  }

  /** The last, shorter chunk before Terminate (the server accepts a short final chunk). */
  flush() {
    this.post(true);
  }

  post(last) {
    const pcm = this.chunk.slice(0, this.filled).buffer;
    this.port.postMessage({ pcm, last }, [pcm]);
    this.filled = 0;
  }
}

registerProcessor("pcm16-downsampler", Pcm16Downsampler);
