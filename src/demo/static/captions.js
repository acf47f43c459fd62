// Live captions: one paragraph per turn (turn_order). Words are spans updated in place, so a
// partial word (word_is_final=false) turns into its final form with a CSS transition instead of
// the paragraph being redrawn.

export class Captions {
  /** @param {HTMLElement} root */
  constructor(root) {
    this.root = root;
    /** @type {Map<number, HTMLParagraphElement>} */
    this.turns = new Map();
  }

  clear() {
    this.root.replaceChildren();
    this.turns.clear();
  }

  /** Applies one Turn message. */
  update(turn) {
    const p = this.paragraph(turn.turn_order);
    // With format_turns=true the formatted final follows the unformatted one and wins.
    if (p.classList.contains("formatted")) return;
    const words = turn.words.length
      ? turn.words
      : turn.transcript.split(/\s+/).filter(Boolean).map((text) => ({ text, word_is_final: true }));
    const formatted = turn.end_of_turn && turn.turn_is_formatted;
    this.render(p, words, formatted);
    p.classList.toggle("ended", turn.end_of_turn);
    p.classList.toggle("formatted", formatted);
  }

  paragraph(order) {
    let p = this.turns.get(order);
    if (!p) {
      p = document.createElement("p");
      p.className = "turn";
      p.dataset.turn = String(order);
      this.turns.set(order, p);
      // Turns can arrive out of order only in theory; keep them sorted anyway.
      const next = [...this.turns.entries()].filter(([o]) => o > order).sort(([a], [b]) => a - b)[0];
      this.root.insertBefore(p, next ? next[1] : null);
      p.scrollIntoView({ block: "end" });
    }
    return p;
  }

  render(p, words, allFinal) {
    const spans = p.querySelectorAll(":scope > .word");
    words.forEach((w, i) => {
      let span = spans[i];
      if (!span) {
        if (i > 0) p.append(" ");
        span = document.createElement("span");
        p.append(span);
      }
      span.textContent = w.text;
      span.className = allFinal || w.word_is_final ? "word final" : "word partial";
    });
    for (let i = words.length; i < spans.length; i++) {
      const gap = spans[i].previousSibling;
      if (gap?.nodeType === Node.TEXT_NODE) gap.remove();
      spans[i].remove();
    }
  }
}
