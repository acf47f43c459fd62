// The browser demo (src/demo/static): GET / serves the page, GET /demo/<file> its scripts and
// styles. Plain files, no build step; WebSocket upgrades on / are taken by the gateway first.
import type { Hono } from "hono";

const STATIC = new URL("./static/", import.meta.url);

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

// Only plain names: no slashes or dots beyond the extension, so nothing outside STATIC is reachable.
const ASSET = /^[a-z][a-z0-9_]*\.(js|css)$/;

async function serveFile(name: string): Promise<Response> {
  const ext = name.slice(name.lastIndexOf(".") + 1);
  try {
    const body = await Deno.readFile(new URL(name, STATIC));
    // no-cache: the page is small and edited in place; a stale app.js would mismatch the server.
    return new Response(body, { headers: { "content-type": TYPES[ext], "cache-control": "no-cache" } });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return new Response("Not found\n", { status: 404 });
    throw e;
  }
}

export function demoRoutes(app: Hono): void {
  app.get("/", () => serveFile("index.html"));
  app.get("/demo/:file", (c) => {
    const file = c.req.param("file");
    return ASSET.test(file) ? serveFile(file) : c.text("Not found\n", 404);
  });
}
