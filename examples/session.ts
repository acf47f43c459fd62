// Opens the examples' v3 session (src/client/v3_session.ts) with the command line's options and
// prints its turns, errors and an abnormal close; resolves at Begin.
import { type ServerMessage, V3Session } from "../src/client/v3_session.ts";
import type { ClientOptions } from "./options.ts";
import type { Turn, TurnPrinter } from "./turn_printer.ts";

export async function connect(
  opts: ClientOptions,
  audio: { sample_rate: number; encoding: string },
  printer: TurnPrinter,
): Promise<{ session: V3Session; begin: ServerMessage }> {
  const params = new URLSearchParams({
    sample_rate: String(audio.sample_rate),
    encoding: audio.encoding,
    speech_model: opts.speechModel,
    format_turns: String(opts.formatTurns),
  });
  const session = new V3Session(`${opts.url}?${params}`, {
    headers: { Authorization: opts.apiKey },
    onMessage(m) {
      if (m.type === "Turn") printer.print(m as unknown as Turn);
      else if (m.type === "Error" || "error" in m) printer.info(`error: ${m.error}`); // also legacy {"error"}
    },
  });
  session.closed.then((c) =>
    c.code !== 1000 && printer.info(`error: connection closed: ${c.code} ${c.reason}`)
  );
  return { session, begin: await session.waitFor("Begin") };
}
