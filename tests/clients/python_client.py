"""A client in the style of the reference self-hosted example: plain ws://, 100 ms chunks paced in
real time, `{"type": "Terminate"}` with a space. Uses Debian's python3-websockets.
Usage: python3 python_client.py ws://localhost:8080 file.wav  -> prints one JSON line per message."""
import asyncio, json, sys, wave
import websockets


async def main(url: str, path: str) -> None:
    with wave.open(path, "rb") as w:
        rate, audio = w.getframerate(), w.readframes(w.getnframes())
    params = f"?sample_rate={rate}&format_turns=True"
    try:
        connect = websockets.connect(url + params, additional_headers={"Authorization": "self-hosted"})
    except TypeError:  # websockets < 14 names it extra_headers
        connect = websockets.connect(url + params, extra_headers={"Authorization": "self-hosted"})
    async with connect as ws:
        async def send():
            step = rate // 10 * 2
            for i in range(0, len(audio), step):
                await ws.send(audio[i:i + step])
                await asyncio.sleep(0.1)
            await ws.send('{"type": "Terminate"}')

        sender = asyncio.create_task(send())
        async for message in ws:
            print(message, flush=True)
            if json.loads(message).get("type") == "Termination":
                break
        await sender


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
