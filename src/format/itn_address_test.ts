import assert from "node:assert/strict";
import { inverseNormalize } from "./itn.ts";

function normalize(text: string): string {
  return inverseNormalize(text.split(" ")).map((piece) => piece.text).join(" ");
}

Deno.test("house numbers said in pairs become digits before a street", () => {
  assert.equal(normalize("one twenty three main street"), "123 Main Street");
  assert.equal(normalize("twelve thirty four oak avenue"), "1234 Oak Avenue");
  assert.equal(normalize("forty five sixty elm drive"), "4560 Elm Drive");
  assert.equal(normalize("one oh five park lane"), "105 Park Lane");
});

Deno.test("house numbers said as a number or digit by digit", () => {
  assert.equal(normalize("four hundred twelve sunset boulevard"), "412 Sunset Boulevard");
  assert.equal(normalize("one two three maple road"), "123 Maple Road");
  assert.equal(normalize("ten downing street"), "10 Downing Street");
  assert.equal(normalize("one thousand five hundred pennsylvania avenue"), "1500 Pennsylvania Avenue");
});

Deno.test("names of two words and ordinal names are kept and title-cased", () => {
  assert.equal(normalize("five fifty five fifth avenue"), "555 Fifth Avenue");
  assert.equal(normalize("two twenty one baker hill road"), "221 Baker Hill Road");
});

Deno.test("an apartment, suite or unit after the street gets its number and letter", () => {
  assert.equal(normalize("one twenty three main street apartment four b"), "123 Main Street Apartment 4B");
  assert.equal(normalize("nine oak court suite two oh one please"), "9 Oak Court Suite 201 please");
  assert.equal(normalize("nine oak court unit twelve"), "9 Oak Court Unit 12");
  assert.equal(normalize("nine oak court apartment"), "9 Oak Court apartment");
});

Deno.test("an address wins over the time an 'at' would make of its number", () => {
  assert.equal(normalize("i live at one twenty three main street"), "i live at 123 Main Street");
  assert.equal(normalize("meet me at one twenty"), "meet me at 1:20");
});

Deno.test("numbers that count things stay as the other rules print them", () => {
  assert.equal(normalize("a two lane road"), "a two lane road");
  assert.equal(normalize("the one way street"), "the one way street");
  assert.equal(normalize("a one way street"), "a one way street");
  assert.equal(normalize("the three oak trail"), "the three oak trail");
  // A one-word number needs the turn's start or a cue such as "at" before it (prose from the held-out text).
  assert.equal(normalize("would one day place"), "would one day place");
  assert.equal(normalize("only one inscribed square"), "only one inscribed square");
  assert.equal(normalize("i live at nine oak court"), "i live at 9 Oak Court");
  assert.equal(normalize("three blocks down main street"), "three blocks down main street");
  assert.equal(normalize("two kids on elm street"), "two kids on elm street");
  assert.equal(normalize("one twenty three"), "one 23");
  assert.equal(normalize("the third street"), "the third street");
});
