// Who is connecting: an API key in Authorization, or a temporary token in ?token= or in
// Authorization (the Python SDK sends tokens there). Without API_KEYS_FILE any non-empty
// Authorization passes, as in the reference self-hosted stack.
import { keyId } from "./key_id.ts";
import type { TemporaryTokens } from "./temp_tokens.ts";

type Refusal = { ok: false; reason: string };
/** An API key checked alone (for minting tokens). */
export type KeyCheck = { ok: true; key: string } | Refusal;
/** A session's caller: `account` is the API key's id (keyId), the same for the key's tokens. */
export type AuthResult = { ok: true; account: string; maxSessionSeconds?: number } | Refusal;

export class Authenticator {
  constructor(private readonly tokens: TemporaryTokens, private readonly apiKeys?: ReadonlySet<string>) {}

  static async fromFile(tokens: TemporaryTokens, path?: string): Promise<Authenticator> {
    if (!path) return new Authenticator(tokens);
    const keys = (await Deno.readTextFile(path)).split("\n").map((l) => l.trim()).filter((l) =>
      l && !l.startsWith("#")
    );
    return new Authenticator(tokens, new Set(keys));
  }

  /** Checks an API key alone (for GET /v3/token). */
  checkKey(authorization: string | null): KeyCheck {
    const value = authorization?.trim();
    if (!value) return { ok: false, reason: "Unauthorized Connection: Missing Authorization header" };
    if (this.apiKeys && !this.apiKeys.has(value)) {
      return { ok: false, reason: "Unauthorized Connection: Invalid API key" };
    }
    return { ok: true, key: value };
  }

  async authenticate(authorization: string | null, queryToken: string | null): Promise<AuthResult> {
    const token = queryToken?.trim() || undefined;
    if (token) return await this.redeem(token);
    const value = authorization?.trim();
    if (value) {
      const grant = await this.tokens.redeem(value);
      if (grant && "error" in grant) return { ok: false, reason: `Unauthorized Connection: ${grant.error}` };
      if (grant) return { ok: true, ...grant };
    }
    const checked = this.checkKey(authorization);
    return checked.ok ? { ok: true, account: await keyId(checked.key) } : checked;
  }

  private async redeem(token: string): Promise<AuthResult> {
    const grant = await this.tokens.redeem(token);
    if (!grant) return { ok: false, reason: "Unauthorized Connection: Invalid temporary token" };
    if ("error" in grant) return { ok: false, reason: `Unauthorized Connection: ${grant.error}` };
    return { ok: true, ...grant };
  }
}
