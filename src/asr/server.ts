// The ASR service over HTTP: GET /health, and one WebSocket per stream on /v1/stream with the
// route in X-Model-Version. Frames are binary protobuf (proto/asr.proto).
import type { AsrService } from "./service.ts";
import { ROUTE_HEADER, STREAM_PATH } from "./transport.ts";

export function asrHandler(service: AsrService, defaultRoute = "en-default"): (req: Request) => Response {
  return (req) => {
    const url = new URL(req.url);
    if (url.pathname === "/health") {
      const body = {
        ready: service.ready && !service.draining,
        open_streams: service.openStreams,
        routes: service.routes,
      };
      return Response.json(body, { status: body.ready ? 200 : 503 });
    }
    if (url.pathname !== STREAM_PATH) return new Response("Not found\n", { status: 404 });
    if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("Expected a WebSocket upgrade\n", { status: 426 });
    }
    const route = req.headers.get(ROUTE_HEADER) || defaultRoute;
    const { socket, response } = Deno.upgradeWebSocket(req);
    socket.binaryType = "arraybuffer";
    const early: Uint8Array[] = [];
    let handle: ReturnType<AsrService["connect"]> | undefined;
    socket.onopen = () => {
      handle = service.connect(route, (bytes, ends) => {
        if (socket.readyState !== WebSocket.OPEN) return;
        socket.send(bytes);
        if (ends) socket.close(1000);
      });
      for (const bytes of early) handle.send(bytes);
    };
    socket.onmessage = (event) => {
      if (!(event.data instanceof ArrayBuffer)) return;
      const bytes = new Uint8Array(event.data);
      if (handle) handle.send(bytes);
      else early.push(bytes);
    };
    socket.onclose = () => handle?.close();
    socket.onerror = () => {};
    return response;
  };
}
