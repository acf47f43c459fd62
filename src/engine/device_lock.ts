// One device call at a time in a process. onnxruntime-node's GPU providers share one device among
// all sessions of a process, and sessions of two worker isolates that create or run at the same
// time crash the process (seen on lavapipe: std::bad_alloc, or an abort). The lock lives in a
// SharedArrayBuffer handed to every worker; a waiter polls every millisecond (Deno's event loop does
// not wait on Atomics.waitAsync), so a worker's CPU work goes on while another's call holds the device.
export class DeviceLock {
  private readonly cell: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(4)) {
    this.cell = new Int32Array(buffer);
  }

  async hold<T>(call: () => Promise<T>): Promise<T> {
    while (Atomics.compareExchange(this.cell, 0, 0, 1) !== 0) {
      await new Promise((r) => setTimeout(r, 1));
    }
    try {
      return await call();
    } finally {
      Atomics.store(this.cell, 0, 0);
    }
  }
}
