import { ok, strictEqual } from "node:assert/strict";
import { Hono } from "hono";
import { demoRoutes } from "./routes.ts";

const app = new Hono();
demoRoutes(app);

Deno.test("demo: / serves the page, /demo/<file> its assets", async () => {
  const page = await app.request("/");
  strictEqual(page.status, 200);
  ok(page.headers.get("content-type")?.startsWith("text/html"));
  ok((await page.text()).includes('src="/demo/app.js"'));
  for (
    const [file, type] of [["app.js", "text/javascript"], ["worklet.js", "text/javascript"], [
      "style.css",
      "text/css",
    ]]
  ) {
    const res = await app.request(`/demo/${file}`);
    strictEqual(res.status, 200, file);
    ok(res.headers.get("content-type")?.startsWith(type), file);
    await res.body?.cancel();
  }
});

Deno.test("demo: every module the page imports exists", async () => {
  // No build step, so a renamed module would only show up as a broken page in the browser.
  const pending = ["app.js"];
  const seen = new Set<string>();
  while (pending.length) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const res = await app.request(`/demo/${file}`);
    strictEqual(res.status, 200, `/demo/${file}`);
    const source = await res.text();
    for (const m of source.matchAll(/from "\.\/([a-z_]+\.js)"|addModule\("\/demo\/([a-z_]+\.js)"\)/g)) {
      pending.push(m[1] ?? m[2]);
    }
  }
  ok(seen.has("worklet.js") && seen.has("audio.js"), [...seen].join(", "));
});

Deno.test("demo: nothing outside the static folder is reachable", async () => {
  for (const path of ["/demo/..%2Froutes.ts", "/demo/routes.ts", "/demo/missing.js", "/demo/.hidden.js"]) {
    const res = await app.request(path);
    strictEqual(res.status, 404, path);
    await res.body?.cancel();
  }
});
