// Temporary tokens (GET /v3/token): HS256 JWTs signed with a gateway secret, single use.
// With several gateways, give them the same TOKEN_SIGNING_SECRET; single use is then enforced
// per gateway (the token's short lifetime bounds the rest).
import { jwtVerify, SignJWT } from "jose";
import { keyId } from "./key_id.ts";

export interface TokenGrant {
  /** The id (keyId) of the API key that minted the token: concurrency is counted against it. */
  account: string;
  maxSessionSeconds: number;
}

export class TemporaryTokens {
  private readonly secret: Uint8Array;
  private readonly used = new Map<string, number>(); // jti -> expiry (ms)

  constructor(secret?: string, private readonly now: () => number = Date.now) {
    this.secret = secret ? new TextEncoder().encode(secret) : crypto.getRandomValues(new Uint8Array(32));
  }

  async mint(key: string, expiresInSeconds: number, maxSessionSeconds: number): Promise<string> {
    const iat = Math.floor(this.now() / 1000);
    return await new SignJWT({ msd: maxSessionSeconds, key: await keyId(key) })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setJti(crypto.randomUUID())
      .setIssuedAt(iat)
      .setExpirationTime(iat + expiresInSeconds)
      .sign(this.secret);
  }

  /** Verifies and consumes a token; null when it is not one of ours, expired or used. */
  async redeem(token: string): Promise<TokenGrant | { error: string } | null> {
    if (token.split(".").length !== 3) return null;
    try {
      const { payload } = await jwtVerify(token, this.secret, {
        algorithms: ["HS256"],
        currentDate: new Date(this.now()),
      });
      const jti = String(payload.jti);
      this.sweep();
      if (this.used.has(jti)) return { error: "Temporary token already used" };
      this.used.set(jti, Number(payload.exp) * 1000);
      return { account: String(payload.key), maxSessionSeconds: Number(payload.msd) };
    } catch (e) {
      const name = (e as { code?: string }).code;
      if (name === "ERR_JWT_EXPIRED") return { error: "Temporary token expired" };
      return null;
    }
  }

  private sweep(): void {
    const now = this.now();
    for (const [jti, exp] of this.used) if (exp < now) this.used.delete(jti);
  }
}
