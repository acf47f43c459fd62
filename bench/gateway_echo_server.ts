// The gateway (createGateway, as src/serve.ts builds it) with the echo ASR behind it, as its own
// process so that the benchmark can read its CPU and memory. Port from AAI_WSS_PORT; Turns every
// ECHO_TURN_EVERY chunks (default 1).
import { createGateway } from "../src/gateway/app.ts";
import { Authenticator } from "../src/gateway/auth.ts";
import { TemporaryTokens } from "../src/gateway/temp_tokens.ts";
import { createLogger } from "../src/log.ts";
import { EchoAsr, EchoTransport } from "./echo_asr.ts";

const tokens = new TemporaryTokens();
const gateway = createGateway({
  transport: new EchoTransport(
    new EchoAsr({ turnEvery: Number(Deno.env.get("ECHO_TURN_EVERY") ?? 1), wordsPerTurn: 10 }),
  ),
  auth: new Authenticator(tokens),
  tokens,
  log: createLogger({ service: "gateway-echo", level: "warning", structured: false }),
  maxSessionsPerKey: 1_000_000,
  maxSessionSeconds: 10800,
  rateBurstSeconds: 5,
  isReady: () => true,
});
Deno.serve({
  port: Number(Deno.env.get("AAI_WSS_PORT") ?? 0),
  hostname: "127.0.0.1",
  onListen: ({ port }) => console.log(`gateway with echo ASR on ${port}; Ready to serve!`),
}, gateway.app.fetch);
