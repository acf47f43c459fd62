import assert from "node:assert/strict";
import { formatWords, type TimedWord } from "./format_turn.ts";

/** Words 300 ms apart, each 250 ms long, confidence falling by 0.01 per word from 0.99. */
function spoken(text: string): TimedWord[] {
  return text.split(" ").map((word, i) => ({
    text: word,
    start: i * 300,
    end: i * 300 + 250,
    confidence: Math.round((0.99 - i * 0.01) * 100) / 100,
  }));
}

function format(text: string, keyterms?: string[]): string {
  return formatWords(spoken(text), keyterms ? { keyterms } : undefined).transcript;
}

Deno.test("formats the examples from the brief", () => {
  assert.equal(format("book a table for two at seven thirty pm"), "Book a table for two at 7:30 PM.");
  assert.equal(format("my number is five five five one two three four"), "My number is 555-1234.");
  assert.equal(format("it costs twenty three dollars and fifty cents"), "It costs $23.50.");
  assert.equal(format("on march third twenty twenty four"), "On March 3, 2024.");
  assert.equal(format("the twenty first century"), "The 21st century.");
  assert.equal(format("what time is it"), "What time is it?");
  assert.equal(format("i think so"), "I think so.");
  assert.equal(format("one two three"), "123.");
  assert.equal(format("fifty percent"), "50%.");
  assert.equal(format("zero point five"), "0.5.");
});

Deno.test("empty and unusable input gives empty output", () => {
  assert.deepEqual(formatWords([]), { transcript: "", words: [] });
  assert.deepEqual(formatWords([{ text: "  ", start: 0, end: 10, confidence: 1 }]), {
    transcript: "",
    words: [],
  });
});

Deno.test("never throws on malformed input", () => {
  const malformed = [null, { text: 5 }, {
    text: "hello",
    start: 0,
    end: 100,
    confidence: 0.5,
  }] as unknown as TimedWord[];
  assert.equal(formatWords(malformed).transcript, "Hello.");
  assert.deepEqual(formatWords(undefined as unknown as TimedWord[]), { transcript: "", words: [] });
  const badKeyterms = { keyterms: "AssemblyAI" } as unknown as { keyterms: string[] };
  assert.equal(formatWords(spoken("use assemblyai"), badKeyterms).transcript, "Use assemblyai.");
  const oddKeyterms = [null, "", "  ", "!!"] as unknown as string[];
  assert.equal(formatWords(spoken("it works"), { keyterms: oddKeyterms }).transcript, "It works.");
});

Deno.test("punctuation is attached to the last word's text", () => {
  const { transcript, words } = formatWords(spoken("book a table"));
  assert.equal(transcript, "Book a table.");
  assert.deepEqual(words.map((w) => w.text), ["Book", "a", "table."]);
});

Deno.test("unchanged words keep their own timing and confidence", () => {
  const { words } = formatWords(spoken("i think so"));
  assert.deepEqual(words, [
    { text: "I", start: 0, end: 250, confidence: 0.99 },
    { text: "think", start: 300, end: 550, confidence: 0.98 },
    { text: "so.", start: 600, end: 850, confidence: 0.97 },
  ]);
});

Deno.test("merged words span first start to last end with the lowest confidence", () => {
  const { words } = formatWords(spoken("there were twenty three people"));
  assert.deepEqual(words[2], { text: "23", start: 600, end: 1150, confidence: 0.96 });
  assert.equal(words[3].text, "people.");
  assert.equal(words[3].start, 1200);

  const money = formatWords(spoken("it costs twenty three dollars and fifty cents")).words;
  assert.deepEqual(money[2], { text: "$23.50.", start: 600, end: 2350, confidence: 0.92 });

  const phone = formatWords(spoken("five five five one two three four")).words;
  assert.deepEqual(phone, [{ text: "555-1234.", start: 0, end: 2050, confidence: 0.93 }]);
});

Deno.test("the lowest confidence wins even when it is not the last word", () => {
  const words: TimedWord[] = [
    { text: "twenty", start: 100, end: 300, confidence: 0.4 },
    { text: "three", start: 320, end: 600, confidence: 0.95 },
    { text: "apples", start: 650, end: 900, confidence: 0.8 },
  ];
  assert.deepEqual(formatWords(words).words[0], { text: "23", start: 100, end: 600, confidence: 0.4 });
});

Deno.test("times split into clock and meridiem words", () => {
  const { transcript, words } = formatWords(spoken("call at seven thirty pm"));
  assert.equal(transcript, "Call at 7:30 PM.");
  assert.deepEqual(words.slice(2), [
    { text: "7:30", start: 600, end: 1150, confidence: 0.96 },
    { text: "PM.", start: 1200, end: 1450, confidence: 0.95 },
  ]);
  assert.equal(format("wake me at six am"), "Wake me at 6 AM.");
  assert.equal(format("the train leaves at seven oh five a m"), "The train leaves at 7:05 AM.");
  assert.equal(format("see you at ten fifteen"), "See you at 10:15.");
  assert.equal(format("we open at nine o'clock"), "We open at 9 o'clock.");
  assert.equal(format("meet me by eleven forty five p m"), "Meet me by 11:45 PM.");
});

Deno.test("hour-minute pairs without a cue stay numbers", () => {
  assert.equal(format("i saw seven thirty people"), "I saw seven 30 people.");
  assert.equal(format("i am at seven"), "I am at seven.");
});

Deno.test("dates", () => {
  assert.equal(format("on march third twenty twenty four"), "On March 3, 2024.");
  assert.equal(format("born on june twenty first nineteen eighty four"), "Born on June 21, 1984.");
  assert.equal(format("due january five"), "Due January 5.");
  assert.equal(format("due april the second"), "Due April 2.");
  assert.equal(format("it opened in september twenty twenty"), "It opened in September 2020.");
  assert.equal(format("the third of march"), "The 3rd of March.");
  assert.equal(format("the twenty second of may two thousand and five"), "The 22nd of May 2005.");
  assert.equal(format("may fifth is my birthday"), "May 5 is my birthday.");
  // "may" and "march" are everyday words outside a date.
  assert.equal(format("you may go"), "You may go.");
  assert.equal(format("the march was long"), "The march was long.");
  assert.equal(format("march thirty two"), "March 32.");
  const { words } = formatWords(spoken("on march third twenty twenty four"));
  assert.deepEqual(words.map((w) => [w.text, w.start, w.end]), [
    ["On", 0, 250],
    ["March", 300, 550],
    ["3,", 600, 850],
    ["2024.", 900, 1750],
  ]);
});

Deno.test("years", () => {
  assert.equal(format("it was nineteen eighty four"), "It was 1984.");
  assert.equal(format("in twenty twenty four we moved"), "In 2024 we moved.");
  assert.equal(format("in two thousand and five"), "In 2005.");
  assert.equal(format("built in nineteen oh five"), "Built in 1905.");
});

Deno.test("small numbers stay words in prose, larger ones become digits", () => {
  assert.equal(format("i have two cats and ten dogs"), "I have two cats and ten dogs.");
  assert.equal(format("there were eleven of us"), "There were 11 of us.");
  assert.equal(format("between five and fifteen"), "Between five and 15.");
  assert.equal(format("one hundred and one dalmatians"), "101 dalmatians.");
  assert.equal(format("a hundred people came"), "100 people came.");
  assert.equal(format("zero"), "Zero.");
  assert.equal(format("twenty three forty five"), "23 45.");
});

Deno.test("large numbers are grouped, except the 1000-2099 year range", () => {
  assert.equal(format("twelve thousand five hundred"), "12,500.");
  assert.equal(format("it is two thousand three hundred and forty five"), "It is 2,345.");
  assert.equal(format("fifteen hundred"), "1500.");
  assert.equal(format("one million two hundred thousand"), "1,200,000.");
  assert.equal(format("three million people"), "3 million people.");
});

Deno.test("units, money and percentages turn small numbers into digits", () => {
  assert.equal(format("we ran five kilometers"), "We ran 5 kilometers.");
  assert.equal(format("it weighs two thousand five hundred pounds"), "It weighs 2,500 pounds.");
  assert.equal(format("it costs one dollar"), "It costs $1.");
  assert.equal(format("it costs five dollars"), "It costs $5.");
  assert.equal(format("twenty euros"), "€20.");
  assert.equal(format("fifty cents"), "50 cents.");
  assert.equal(format("it costs five dollars fifty cents"), "It costs $5.50.");
  assert.equal(format("it costs two point five dollars"), "It costs $2.50.");
  assert.equal(format("fifteen hundred dollars"), "$1,500.");
  assert.equal(format("five million dollars"), "$5 million.");
  assert.equal(format("a budget of two point five billion dollars"), "A budget of $2.5 billion.");
  assert.equal(format("five percent"), "5%.");
  assert.equal(format("zero point five percent"), "0.5%.");
  assert.equal(format("ten per cent"), "10%.");
  // Without "cents" a trailing number is not taken as cents.
  assert.equal(format("five dollars twenty times"), "$5 20 times.");
});

Deno.test("decimals, digit strings and phone numbers", () => {
  assert.equal(format("pi is three point one four"), "Pi is 3.14.");
  assert.equal(format("two point five million people"), "2.5 million people.");
  assert.equal(format("room one oh one"), "Room 101.");
  assert.equal(format("call five five five one two three four five six seven"), "Call 555-123-4567.");
  assert.equal(format("call one eight hundred"), "Call one 800.");
  assert.equal(format("oh five"), "Oh five.");
});

Deno.test("ordinals", () => {
  assert.equal(format("the first time"), "The first time.");
  assert.equal(format("the tenth floor"), "The tenth floor.");
  assert.equal(format("the eleventh hour"), "The 11th hour.");
  assert.equal(format("the twenty second time"), "The 22nd time.");
  assert.equal(format("the one hundredth day"), "The 100th day.");
  assert.equal(format("one third of it"), "One third of it.");
  // Without "the", tens + "second" is a length of time.
  assert.equal(format("a thirty second clip"), "A 30 second clip.");
});

Deno.test("question detection from the opening word", () => {
  assert.equal(format("is it raining"), "Is it raining?");
  assert.equal(format("can you help me"), "Can you help me?");
  assert.equal(format("how are you"), "How are you?");
  assert.equal(format("don't you think so"), "Don't you think so?");
  assert.equal(format("should i go"), "Should I go?");
  assert.equal(format("have you eaten"), "Have you eaten?");
  assert.equal(format("um where is it"), "Um where is it?");
  assert.equal(format("may i come in"), "May I come in?");
  // Greetings and answers before the opener are skipped, as fillers are.
  assert.equal(format("hey can you turn off the lights"), "Hey can you turn off the lights?");
  assert.equal(format("hi there how are you doing"), "Hi there how are you doing?");
  assert.equal(format("yes is that okay"), "Yes is that okay?");
  assert.equal(format("hi there"), "Hi there.");
  assert.equal(format("hello there is a problem"), "Hello there is a problem.");
  assert.equal(format("it is raining"), "It is raining.");
  assert.equal(format("this is what i want"), "This is what I want.");
});

Deno.test("casing of I, proper nouns and the first word", () => {
  assert.equal(
    format("i'm sure i'll know what i've done and i'd say so"),
    "I'm sure I'll know what I've done and I'd say so.",
  );
  assert.equal(format("see you on monday in august"), "See you on Monday in August.");
  assert.equal(format("she speaks english and french"), "She speaks English and French.");
  assert.equal(format("'cause i said so"), "'Cause I said so.");
  // Text that already has casing or a full stop is left as it is.
  assert.equal(format("Hello I am here."), "Hello I am here.");
  assert.equal(format("in a.m."), "In a.m.");
});

Deno.test("keyterms win over every casing rule", () => {
  assert.equal(format("i use assemblyai", ["AssemblyAI"]), "I use AssemblyAI.");
  assert.equal(format("i love my iphone", ["iPhone"]), "I love my iPhone.");
  // Not even the first word of the turn is recapitalised.
  assert.equal(format("iphone sales are up", ["iPhone"]), "iPhone sales are up.");
  assert.equal(format("I like my IPHONE", ["iPhone"]), "I like my iPhone.");
  assert.equal(format("we met in new york city", ["New York", "New York City"]), "We met in New York City.");
  assert.equal(format("keyterms are optional"), "Keyterms are optional.");
});

Deno.test("keyterms spelled across several words merge with merged timing", () => {
  const { transcript, words } = formatWords(spoken("i use assembly ai daily"), { keyterms: ["AssemblyAI"] });
  assert.equal(transcript, "I use AssemblyAI daily.");
  assert.deepEqual(words[2], { text: "AssemblyAI", start: 600, end: 1150, confidence: 0.96 });
});

Deno.test("multi-word keyterms recase word by word and keep each word's timing", () => {
  const { words } = formatWords(spoken("visit new york"), { keyterms: ["New York"] });
  assert.deepEqual(words.slice(1), [
    { text: "New", start: 300, end: 550, confidence: 0.98 },
    { text: "York.", start: 600, end: 850, confidence: 0.97 },
  ]);
});

Deno.test("keyterms match before and after number formatting", () => {
  // Matched on the spoken words, so ITN leaves the number inside alone.
  assert.equal(format("we played one direction songs", ["One Direction"]), "We played One Direction songs.");
  assert.equal(format("i like seven eleven", ["Seven Eleven"]), "I like Seven Eleven.");
  // Matched on the formatted words: "eleven" became "11" first.
  assert.equal(format("i have windows eleven", ["Windows 11"]), "I have Windows 11.");
  assert.equal(format("it was a catch twenty two", ["Catch-22"]), "It was a Catch-22.");
});
