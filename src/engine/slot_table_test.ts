import { ok, strictEqual, throws } from "node:assert/strict";
import { SlotTable } from "./slot_table.ts";

Deno.test("slots: a closed slot is reused, with a new generation", () => {
  const table = new SlotTable();
  const a = table.take();
  const b = table.take();
  ok(a !== b);
  const before = table.generation(a);
  table.release(a);
  ok(!table.isOpen(a));
  strictEqual(table.take(), a);
  ok(table.generation(a) !== before, "results for the old stream are recognisably stale");
  strictEqual(table.openCount, 2);
  strictEqual(table.size, 2);
});

Deno.test("slots: a bounded table refuses beyond its capacity and releases only open slots", () => {
  const table = new SlotTable(1);
  const a = table.take();
  throws(() => table.take(), /all 1 stream state slots are in use/);
  table.release(a);
  throws(() => table.release(a), /not open/);
  strictEqual(table.take(), a);
});
