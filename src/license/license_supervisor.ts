// Keeps the license loaded (re-reading the file so a renewed license takes effect without a restart),
// checks in with the license server on the license's interval, and feeds the state machine.
import { writeLastSuccessfulCheckin } from "./checkin_record.ts";
import { CheckIn } from "./checkin_client.ts";
import { errorMessage } from "./http.ts";
import { License, loadLicense } from "./license.ts";
import { LicenseStateMachine } from "./license_state.ts";
import { type Logger, silentLogger } from "../log.ts";
import { BackgroundLoop, startLoop } from "./loop.ts";

/** After a failed check-in, try again sooner than the normal interval. */
const CHECKIN_RETRY_MS = 30_000;
/** With no valid license, look for a replaced license file this often. */
const LICENSE_RETRY_MS = 30_000;

export interface LicenseSupervisorOptions {
  licenseFilePath: string;
  publicKeyFile: string;
  /** Where the last successful check-in is remembered; none in tests that do not care. */
  stateDir?: string;
  checkIn: CheckIn;
  state: LicenseStateMachine;
  now: () => number;
  logger?: Logger;
}

export class LicenseSupervisor {
  #options: LicenseSupervisorOptions;
  #logger: Logger;
  #license: License | null = null;
  #licenseProblem: string | null = "license not loaded yet";
  #lastReportedProblem: string | null = null;
  #loop: BackgroundLoop | null = null;

  constructor(options: LicenseSupervisorOptions) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
  }

  get license(): License | null {
    return this.#license;
  }

  /** Why no license is in force (file missing, bad signature, ...); null when one is. */
  get licenseProblem(): string | null {
    return this.#license ? null : this.#licenseProblem;
  }

  async refreshLicense(): Promise<void> {
    const { licenseFilePath, publicKeyFile, state, now } = this.#options;
    try {
      const license = await loadLicense({ licenseFilePath, publicKeyFile }, now());
      if (license.token !== this.#license?.token) {
        this.#logger.info("License loaded", {
          customer: license.customer,
          billing_mode: license.billingMode,
          max_concurrent_sessions: license.maxConcurrentSessions,
          allowed_models: license.allowedModels.join(","),
          expires_at: new Date(license.expiresAtMs).toISOString(),
        });
      }
      this.#license = license;
      this.#lastReportedProblem = null;
      state.licenseLoaded(license);
    } catch (error) {
      const problem = errorMessage(error);
      if (this.#license) {
        // A half-written renewal must not take down a license that is still good.
        if (problem !== this.#lastReportedProblem) {
          this.#logger.warn("License file cannot be used; keeping the license loaded earlier", {
            error: problem,
          });
        }
      } else {
        this.#licenseProblem = problem;
        state.licenseInvalid(problem);
        if (problem !== this.#lastReportedProblem) this.#logger.error("License invalid", { error: problem });
      }
      this.#lastReportedProblem = problem;
    }
  }

  /** Reloads the license and checks in once; returns the delay before the next round. */
  async checkInOnce(): Promise<number> {
    await this.refreshLicense();
    const license = this.#license;
    if (!license) return LICENSE_RETRY_MS;
    const { state, now } = this.#options;
    const before = state.state;
    const outcome = await this.#options.checkIn(license.token, {
      license_id: license.licenseId ?? null,
      state: before,
    });
    if (outcome.kind === "accepted") {
      state.checkinSucceeded();
      await this.#remember(now());
    } else if (outcome.kind === "rejected") {
      state.checkinRejected(outcome.reason);
    } else {
      state.checkinFailed(outcome.reason);
    }
    const after = state.status();
    if (after.state !== before || outcome.kind !== "accepted") {
      const level = outcome.kind === "accepted" ? "info" : after.state === "Failed" ? "error" : "warn";
      this.#logger[level]("License check-in", {
        outcome: outcome.kind,
        state: after.state,
        reason: outcome.kind === "accepted" ? undefined : outcome.reason,
        trust_expiration: after.trust_expiration,
      });
    }
    return outcome.kind === "accepted"
      ? license.checkinIntervalMs
      : Math.min(license.checkinIntervalMs, CHECKIN_RETRY_MS);
  }

  /** Checks in now and then on the license's interval. */
  async start(): Promise<void> {
    if (this.#loop) return;
    const firstDelay = await this.checkInOnce();
    this.#loop = startLoop(() => this.checkInOnce(), (error) => {
      this.#logger.error("License check-in step crashed", { error: errorMessage(error) });
      return CHECKIN_RETRY_MS;
    }, firstDelay);
  }

  async stop(): Promise<void> {
    const loop = this.#loop;
    this.#loop = null;
    await loop?.stop();
  }

  async #remember(atMs: number): Promise<void> {
    if (!this.#options.stateDir) return;
    try {
      await writeLastSuccessfulCheckin(this.#options.stateDir, atMs);
    } catch (error) {
      this.#logger.warn("Cannot remember the last successful check-in on disk", {
        error: errorMessage(error),
      });
    }
  }
}
