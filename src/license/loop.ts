// A background loop that runs one step at a time, waits as long as the step asks, can be woken early,
// and stops cleanly (no timer left behind, the running step awaited).

export interface BackgroundLoop {
  /** Runs the next step now instead of after its delay. */
  wake(): void;
  /** Cancels the pending delay and waits for a running step to finish. */
  stop(): Promise<void>;
}

/**
 * @param step does one round of work and returns the delay in ms before the next round
 * @param onError turns a step that threw into the delay before retrying
 */
export function startLoop(
  step: () => Promise<number>,
  onError: (error: unknown) => number,
  initialDelayMs = 0,
): BackgroundLoop {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | null = null;
  let wakeRequested = false;

  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(run, Math.max(0, delayMs));
  };

  const run = () => {
    timer = undefined;
    wakeRequested = false;
    running = (async () => {
      let delayMs: number;
      try {
        delayMs = await step();
      } catch (error) {
        delayMs = onError(error);
      }
      running = null;
      schedule(wakeRequested ? 0 : delayMs);
    })();
  };

  schedule(initialDelayMs);

  return {
    wake() {
      if (stopped) return;
      if (running) {
        wakeRequested = true;
      } else if (timer !== undefined) {
        clearTimeout(timer);
        schedule(0);
      }
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
