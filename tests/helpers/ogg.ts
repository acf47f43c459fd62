// The packets of an Ogg stream (RFC 3533), for sending an Ogg Opus file as raw Opus packets.
export function oggPackets(bytes: Uint8Array): Uint8Array[] {
  const packets: Uint8Array[] = [];
  let pending: Uint8Array[] = [];
  let offset = 0;
  while (offset + 27 <= bytes.length) {
    if (String.fromCharCode(...bytes.subarray(offset, offset + 4)) !== "OggS") {
      throw new Error("not an Ogg page");
    }
    const segments = bytes[offset + 26];
    const lacing = bytes.subarray(offset + 27, offset + 27 + segments);
    let body = offset + 27 + segments;
    for (const size of lacing) {
      pending.push(bytes.subarray(body, body + size));
      body += size;
      if (size < 255) {
        const packet = new Uint8Array(pending.reduce((n, p) => n + p.length, 0));
        let o = 0;
        for (const p of pending) (packet.set(p, o), o += p.length);
        packets.push(packet);
        pending = [];
      }
    }
    offset = body;
  }
  return packets;
}
