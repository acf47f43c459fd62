"""Streams a WAV file to an Earshot server, in the style of the reference self-hosted example:
plain ws://, `Authorization: self-hosted`, query parameters via urlencode, audio paced at real time,
{"type": "Terminate"} at the end.

Needs Debian's python3-websockets (`apt-get install python3-websockets`), or `pip install websockets`.
Usage: python3 examples/python_client.py tests/fixtures/weather.wav [ws://localhost:8080] [--json]
The file must be 16-bit mono PCM; the server resamples any rate from 8 to 48 kHz.
--json prints every server message as it came, one per line (tests/python_client_test.ts reads them).
"""
import asyncio
import json
import sys
import time
import wave
from urllib.parse import urlencode

import websockets

CHUNK_MS = 50
API_KEY = "self-hosted"  # any non-empty value, unless the server was given API_KEYS_FILE


def connect(url: str):
    # websockets >= 14 renamed extra_headers to additional_headers (Debian 12 ships 10.4).
    major = int(websockets.__version__.split(".")[0])
    header_arg = "additional_headers" if major >= 14 else "extra_headers"
    return websockets.connect(url, **{header_arg: {"Authorization": API_KEY}})


async def main(path: str, server: str, raw: bool) -> None:
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1:
            sys.exit("need a 16-bit mono PCM WAV file")
        sample_rate, audio = w.getframerate(), w.readframes(w.getnframes())
    params = {"sample_rate": sample_rate, "format_turns": True, "speech_model": "universal-streaming-english"}

    async with connect(f"{server}?{urlencode(params)}") as ws:

        async def send_audio():
            step = sample_rate * 2 * CHUNK_MS // 1000
            started = time.monotonic()
            for n, i in enumerate(range(0, len(audio), step)):
                await ws.send(audio[i:i + step])
                # Paced against the clock so the stream keeps to real time (the server refuses faster).
                await asyncio.sleep(max(0.0, started + (n + 1) * CHUNK_MS / 1000 - time.monotonic()))
            await ws.send(json.dumps({"type": "Terminate"}))

        sender = asyncio.create_task(send_audio())
        last_partial = ""
        async for message in ws:
            data = json.loads(message)
            kind = data.get("type")
            if raw:
                print(message, flush=True)
                if kind == "Termination":
                    break
            elif kind == "Begin":
                print(f"Session began: {data['id']}")
            elif kind == "Turn":
                if not data["end_of_turn"]:
                    # The transcript holds only final words; the words list adds the trailing partial.
                    partial = f"partial [{data['turn_order']}] " + " ".join(w["text"] for w in data["words"])
                    if partial != last_partial:
                        print(partial)
                    last_partial = partial
                elif data["turn_is_formatted"]:  # format_turns=True: the formatted one is the final
                    print(f"final   [{data['turn_order']}] {data['transcript']}")
            elif kind == "Termination":
                print(f"Termination: {json.dumps(data)}")
                break
            elif "error" in data:
                print(f"error: {data['error']}")
        await sender


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--json"]
    if not args:
        sys.exit(__doc__)
    asyncio.run(main(args[0], args[1] if len(args) > 1 else "ws://localhost:8080", "--json" in sys.argv))
