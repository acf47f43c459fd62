// Command-line options shared by the Deno examples.
import { parseArgs } from "node:util";

export interface ClientOptions {
  url: string;
  apiKey: string;
  speechModel: string;
  formatTurns: boolean;
  positionals: string[];
}

export function clientOptions(args: string[], usage: string): ClientOptions {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      url: { type: "string", default: "ws://localhost:8080/v3/ws" },
      "api-key": { type: "string", default: Deno.env.get("EARSHOT_API_KEY") ?? "self-hosted" },
      "speech-model": { type: "string", default: "universal-streaming-english" },
      "no-format": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    Deno.exit(0);
  }
  return {
    url: values.url,
    apiKey: values["api-key"],
    speechModel: values["speech-model"],
    formatTurns: !values["no-format"],
    positionals,
  };
}
