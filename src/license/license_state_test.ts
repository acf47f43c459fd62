import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { LicenseStateMachine } from "./license_state.ts";
import { DAY_MS, HOUR_MS, ManualClock, T0 } from "./testing.ts";

const iso = (ms: number) => new Date(ms).toISOString();
const license = { expiresAtMs: T0 + 30 * DAY_MS, trustWindowMs: 24 * HOUR_MS };

Deno.test("state: Ready before the first check-in, with nothing to report yet", () => {
  const clock = new ManualClock();
  const machine = new LicenseStateMachine({ now: clock.now });
  machine.licenseLoaded(license);
  deepStrictEqual(machine.status(), {
    state: "Ready",
    last_successful_checkin: null,
    trust_expiration: null,
  });
});

Deno.test("state: Connected ⇄ TrustBased → Failed as time passes, and back when the server returns", () => {
  const clock = new ManualClock();
  const machine = new LicenseStateMachine({ now: clock.now });
  machine.licenseLoaded(license);

  machine.checkinSucceeded();
  const firstSuccess = clock.ms;
  deepStrictEqual(machine.status(), {
    state: "Connected",
    last_successful_checkin: iso(firstSuccess),
    trust_expiration: iso(firstSuccess + 24 * HOUR_MS),
  });

  clock.advance(HOUR_MS);
  machine.checkinFailed("license server unreachable");
  deepStrictEqual(machine.status(), {
    state: "TrustBased",
    last_successful_checkin: iso(firstSuccess),
    trust_expiration: iso(firstSuccess + 24 * HOUR_MS),
  });

  clock.advance(2 * HOUR_MS);
  machine.checkinSucceeded();
  const secondSuccess = clock.ms;
  strictEqual(machine.state, "Connected");
  strictEqual(
    machine.status().trust_expiration,
    iso(secondSuccess + 24 * HOUR_MS),
    "trust renews on success",
  );

  machine.checkinFailed("HTTP 502");
  clock.advance(24 * HOUR_MS - 1);
  strictEqual(machine.state, "TrustBased", "still inside the window one ms before it closes");
  clock.advance(1);
  strictEqual(machine.state, "Failed", "the window closes exactly at trust_expiration");
  strictEqual(machine.problem?.includes("HTTP 502"), true);

  clock.advance(HOUR_MS);
  machine.checkinSucceeded();
  strictEqual(machine.state, "Connected", "a successful check-in recovers from Failed");
});

Deno.test("state: a stale success does not stay Connected beyond the trust window", () => {
  const clock = new ManualClock();
  const machine = new LicenseStateMachine({ now: clock.now });
  machine.licenseLoaded(license);
  machine.checkinSucceeded();
  clock.advance(25 * HOUR_MS);
  strictEqual(machine.state, "Failed");
});

Deno.test("state: a failed first check-in with no earlier success is Failed", () => {
  const clock = new ManualClock();
  const machine = new LicenseStateMachine({ now: clock.now });
  machine.licenseLoaded(license);
  machine.checkinFailed("connection refused");
  deepStrictEqual(machine.status(), {
    state: "Failed",
    last_successful_checkin: null,
    trust_expiration: null,
  });
});

Deno.test("state: a success remembered from an earlier run grants trust after a restart", () => {
  const clock = new ManualClock();
  const machine = new LicenseStateMachine({ now: clock.now });
  machine.restoreLastSuccessfulCheckin(T0 - HOUR_MS);
  machine.licenseLoaded(license);
  machine.checkinFailed("connection refused");
  strictEqual(machine.state, "TrustBased");
  strictEqual(machine.status().last_successful_checkin, iso(T0 - HOUR_MS));

  const skewed = new LicenseStateMachine({ now: clock.now });
  skewed.restoreLastSuccessfulCheckin(T0 + 10 * DAY_MS);
  strictEqual(skewed.lastSuccessfulCheckinMs, T0, "a remembered time in the future is clamped to now");
});

Deno.test("state: Failed when the license expires, is invalid, or is rejected by the server", () => {
  const clock = new ManualClock();
  const machine = new LicenseStateMachine({ now: clock.now });
  machine.licenseLoaded({ expiresAtMs: T0 + HOUR_MS, trustWindowMs: 24 * HOUR_MS });
  machine.checkinSucceeded();
  strictEqual(machine.state, "Connected");
  clock.advance(HOUR_MS);
  strictEqual(machine.state, "Failed");
  strictEqual(machine.problem, `license expired at ${iso(T0 + HOUR_MS)}`);

  const invalid = new LicenseStateMachine({ now: clock.now });
  strictEqual(invalid.state, "Failed", "no license loaded");
  invalid.licenseInvalid("license file not found: /license/license.jwt");
  strictEqual(invalid.problem, "license file not found: /license/license.jwt");

  const revoked = new LicenseStateMachine({ now: clock.now });
  revoked.licenseLoaded(license);
  revoked.checkinSucceeded();
  revoked.checkinRejected("HTTP 403: license revoked");
  strictEqual(revoked.state, "Failed", "a rejection does not get a trust window");
});
