import { ok, strictEqual } from "node:assert/strict";
import { readLastSuccessfulCheckin } from "./checkin_record.ts";
import { createCheckinClient } from "./checkin_client.ts";
import { LicenseStateMachine } from "./license_state.ts";
import { LicenseSupervisor } from "./license_supervisor.ts";
import { createMemoryLogger } from "./testing.ts";
import { fetchInto, HOUR_MS, licenseFixture, ManualClock, referenceServerFor, T0 } from "./testing.ts";

Deno.test("supervisor: check-ins against the reference server drive the state through time", async () => {
  const clock = new ManualClock();
  const fixture = await licenseFixture(T0, { trustWindowSeconds: 6 * 3600, checkinIntervalSeconds: 600 });
  try {
    const server = await referenceServerFor(fixture, { now: clock.now });
    const state = new LicenseStateMachine({ now: clock.now });
    const logger = createMemoryLogger();
    const supervisor = new LicenseSupervisor({
      licenseFilePath: fixture.licensePath,
      publicKeyFile: fixture.publicKeyPath,
      stateDir: fixture.dir,
      checkIn: createCheckinClient({ url: "http://license.test", fetch: fetchInto(server.app) }),
      state,
      now: clock.now,
      logger,
    });

    strictEqual(await supervisor.checkInOnce(), 600_000, "next check-in follows the license's interval");
    strictEqual(state.state, "Connected");
    strictEqual(server.stats().checkins, 1);
    strictEqual(await readLastSuccessfulCheckin(fixture.dir), T0, "success is remembered on disk");

    server.setFailures({ checkinStatus: 503 });
    clock.advance(HOUR_MS);
    strictEqual(await supervisor.checkInOnce(), 30_000, "retries sooner after a failure");
    strictEqual(state.state, "TrustBased");
    ok(logger.lines.some((l) => l.level === "warning" && String(l.fields.reason).includes("503")));

    clock.advance(5 * HOUR_MS);
    await supervisor.checkInOnce();
    strictEqual(state.state, "Failed", "six hours without success exhausts the trust window");

    server.setFailures({ checkinStatus: null });
    await supervisor.checkInOnce();
    strictEqual(state.state, "Connected");

    server.setFailures({ checkinStatus: 403 });
    await supervisor.checkInOnce();
    strictEqual(state.state, "Failed", "the license server refusing the license fails at once");
  } finally {
    await fixture.cleanup();
  }
});

Deno.test("supervisor: a broken replacement license file keeps the good one; a missing first one fails", async () => {
  const clock = new ManualClock();
  const fixture = await licenseFixture(T0);
  try {
    const server = await referenceServerFor(fixture, { now: clock.now });
    const state = new LicenseStateMachine({ now: clock.now });
    const supervisor = new LicenseSupervisor({
      licenseFilePath: fixture.licensePath,
      publicKeyFile: fixture.publicKeyPath,
      checkIn: createCheckinClient({ url: "http://license.test", fetch: fetchInto(server.app) }),
      state,
      now: clock.now,
    });
    await supervisor.checkInOnce();
    await Deno.writeTextFile(fixture.licensePath, "half-written");
    await supervisor.checkInOnce();
    strictEqual(state.state, "Connected");
    strictEqual(supervisor.license?.customer, "acme");

    const missing = new LicenseSupervisor({
      licenseFilePath: `${fixture.dir}/absent.jwt`,
      publicKeyFile: fixture.publicKeyPath,
      checkIn: createCheckinClient({ url: "http://license.test", fetch: fetchInto(server.app) }),
      state: new LicenseStateMachine({ now: clock.now }),
      now: clock.now,
    });
    await missing.checkInOnce();
    ok(missing.licenseProblem?.startsWith("license file not found"));
  } finally {
    await fixture.cleanup();
  }
});
