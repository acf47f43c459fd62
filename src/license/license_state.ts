// The license state machine, Ready → Connected ⇄ TrustBased → Failed, computed from facts
// (license validity, check-in outcomes) and an injected clock so tests can move through time.

export type LicenseState = "Ready" | "Connected" | "TrustBased" | "Failed";

/** The body of GET /v1/status, less the `problem` that sidecar_api.ts adds. */
export interface LicenseStatus {
  state: LicenseState;
  last_successful_checkin: string | null;
  trust_expiration: string | null;
}

export interface LicenseStateOptions {
  now: () => number;
  /** Restored from disk so a restarted sidecar keeps the trust it had earned. */
  lastSuccessfulCheckinMs?: number | null;
}

type LastCheckin = "none" | "succeeded" | "failed" | "rejected";

export class LicenseStateMachine {
  #now: () => number;
  #lastSuccessMs: number | null;
  #lastCheckin: LastCheckin = "none";
  #lastCheckinProblem: string | null = null;
  #license: { expiresAtMs: number; trustWindowMs: number } | null = null;
  #licenseProblem: string | null = "no license loaded yet";

  constructor(options: LicenseStateOptions) {
    this.#now = options.now;
    this.#lastSuccessMs = options.lastSuccessfulCheckinMs ?? null;
  }

  /** A success remembered from an earlier run; never moves the record backwards or into the future. */
  restoreLastSuccessfulCheckin(atMs: number): void {
    const clamped = Math.min(atMs, this.#now());
    if (this.#lastSuccessMs === null || clamped > this.#lastSuccessMs) this.#lastSuccessMs = clamped;
  }

  licenseLoaded(license: { expiresAtMs: number; trustWindowMs: number }): void {
    this.#license = { expiresAtMs: license.expiresAtMs, trustWindowMs: license.trustWindowMs };
    this.#licenseProblem = null;
  }

  licenseInvalid(problem: string): void {
    this.#license = null;
    this.#licenseProblem = problem;
  }

  checkinSucceeded(): void {
    this.#lastCheckin = "succeeded";
    this.#lastCheckinProblem = null;
    this.#lastSuccessMs = this.#now();
  }

  /** The license server could not be reached or answered with an error: trust may carry us. */
  checkinFailed(problem: string): void {
    this.#lastCheckin = "failed";
    this.#lastCheckinProblem = problem;
  }

  /** The license server answered that this license is not accepted (revoked, unknown). */
  checkinRejected(problem: string): void {
    this.#lastCheckin = "rejected";
    this.#lastCheckinProblem = problem;
  }

  get lastSuccessfulCheckinMs(): number | null {
    return this.#lastSuccessMs;
  }

  trustExpirationMs(): number | null {
    if (this.#lastSuccessMs === null || this.#license === null) return null;
    return this.#lastSuccessMs + this.#license.trustWindowMs;
  }

  get state(): LicenseState {
    return this.#evaluate().state;
  }

  /** Why the state is Failed (or TrustBased), for logs and refusal reasons; null when all is well. */
  get problem(): string | null {
    return this.#evaluate().problem;
  }

  status(): LicenseStatus {
    const trustExpiration = this.trustExpirationMs();
    return {
      state: this.state,
      last_successful_checkin: this.#lastSuccessMs === null
        ? null
        : new Date(this.#lastSuccessMs).toISOString(),
      trust_expiration: trustExpiration === null ? null : new Date(trustExpiration).toISOString(),
    };
  }

  #evaluate(): { state: LicenseState; problem: string | null } {
    const now = this.#now();
    if (this.#license === null) {
      return { state: "Failed", problem: this.#licenseProblem ?? "no valid license" };
    }
    if (now >= this.#license.expiresAtMs) {
      return {
        state: "Failed",
        problem: `license expired at ${new Date(this.#license.expiresAtMs).toISOString()}`,
      };
    }
    if (this.#lastCheckin === "rejected") {
      return { state: "Failed", problem: `license server rejected the license: ${this.#lastCheckinProblem}` };
    }
    if (this.#lastCheckin === "none") return { state: "Ready", problem: null };
    const trustExpiration = this.trustExpirationMs();
    if (trustExpiration === null || now >= trustExpiration) {
      const why = this.#lastCheckinProblem ?? "no check-in succeeded recently";
      return { state: "Failed", problem: `trust window expired without a successful check-in (${why})` };
    }
    if (this.#lastCheckin === "succeeded") return { state: "Connected", problem: null };
    return { state: "TrustBased", problem: `license check-in failing: ${this.#lastCheckinProblem}` };
  }
}
