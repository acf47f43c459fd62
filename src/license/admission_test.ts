import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { closeReason, decideAdmission, LicenseSummary } from "./admission.ts";

const license: LicenseSummary = {
  customer: "acme",
  billing_mode: "usage",
  max_concurrent_sessions: 2,
  allowed_models: ["en-default"],
  expires_at: "2031-01-01T00:00:00.000Z",
};

Deno.test("admission: Ready, Connected and TrustBased admit licensed models; Failed admits nothing", () => {
  for (const state of ["Ready", "Connected", "TrustBased"] as const) {
    deepStrictEqual(decideAdmission({ state, license, model: "en-default" }), { ok: true });
  }
  deepStrictEqual(
    decideAdmission({ state: "Failed", problem: "license expired at X", license, model: "en-default" }),
    {
      ok: false,
      reason: "License check failed: license expired at X",
    },
  );
  deepStrictEqual(decideAdmission({ state: "Connected", license, model: "evil\nmodel" }), {
    ok: false,
    reason: 'License check failed: model "evil?model" is not allowed by this license',
  });
});

Deno.test("admission: reasons fit a WebSocket close frame without splitting characters", () => {
  const reason = closeReason("License check failed: " + "é".repeat(200));
  ok(new TextEncoder().encode(reason).length <= 123);
  ok(reason.endsWith("..."));
  ok(!reason.includes("\uFFFD"));
  strictEqual(closeReason("short"), "short");
});
