// Prints v3 Turn messages: the growing partial on one line (rewritten in place on a terminal,
// printed only when it changes otherwise), then the final text of each turn.
export interface Word {
  text: string;
  word_is_final: boolean;
}

export interface Turn {
  type: "Turn";
  turn_order: number;
  turn_is_formatted: boolean;
  end_of_turn: boolean;
  transcript: string;
  words: Word[];
}

export class TurnPrinter {
  private last = "";
  private readonly tty = Deno.stdout.isTerminal();
  private readonly encoder = new TextEncoder();

  /** @param formatted whether format_turns=true: then the formatted message is the final one */
  constructor(private readonly formatted: boolean) {}

  print(turn: Turn): void {
    if (turn.end_of_turn && turn.turn_is_formatted === this.formatted) {
      this.line(`final   [${turn.turn_order}] ${turn.transcript}`, true);
    } else if (!turn.end_of_turn) {
      // `transcript` holds only final words; the words list adds the trailing partial one.
      const text = turn.words.map((w) => w.text).join(" ");
      this.line(`partial [${turn.turn_order}] ${text}`, false);
    }
  }

  info(text: string): void {
    this.line(text, true);
  }

  private line(text: string, keep: boolean): void {
    if (this.tty) {
      // \r + erase line: the partial is replaced until a kept line ends it.
      Deno.stdout.writeSync(this.encoder.encode(`\r\x1b[K${text}${keep ? "\n" : ""}`));
    } else if (keep || text !== this.last) {
      console.log(text);
    }
    this.last = text;
  }
}
