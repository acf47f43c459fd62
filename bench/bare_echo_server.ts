// The physical limit of the gateway benchmark: a bare Deno WebSocket server that sends Begin on
// open, answers each binary frame with a small Turn JSON text frame (one word ending at the audio
// received so far) and Terminate with Termination. No protocol, no ASR, no protobuf.
Deno.serve({
  port: Number(Deno.env.get("AAI_WSS_PORT") ?? 0),
  hostname: "127.0.0.1",
  onListen: ({ port }) => console.log(`bare echo on ${port}; Ready to serve!`),
}, (req) => {
  if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") return new Response("WebSocket only\n");
  const { socket, response } = Deno.upgradeWebSocket(req, { idleTimeout: 0 });
  socket.binaryType = "arraybuffer";
  let audioMs = 0;
  let frames = 0;
  socket.onopen = () => socket.send(JSON.stringify({ type: "Begin", id: crypto.randomUUID() }));
  socket.onmessage = (event) => {
    if (event.data instanceof ArrayBuffer) {
      audioMs += event.data.byteLength / 32; // PCM16 at 16 kHz
      const words = [{ text: "echo", end: Math.round(audioMs) }];
      socket.send(JSON.stringify({ type: "Turn", turn_order: frames++, end_of_turn: false, words }));
    } else if (String(event.data).includes("Terminate")) {
      socket.send(
        JSON.stringify({ type: "Termination", audio_duration_seconds: Math.round(audioMs / 1000) }),
      );
      socket.close(1000);
    }
  };
  socket.onerror = () => {};
  return response;
});
