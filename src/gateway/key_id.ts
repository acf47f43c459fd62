// The account a session counts against: a short stable hash of the API key. A temporary token
// carries its minting key's id, so both kinds of session share one count and the token never
// holds the key itself.
export async function keyId(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  return [...new Uint8Array(digest).slice(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
