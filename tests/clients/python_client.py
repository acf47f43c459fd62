"""A client in the style of the reference self-hosted example: plain ws://, 100 ms chunks paced in
real time, `{"type": "Terminate"}` with a space. Uses Debian's python3-websockets.
Usage: python3 python_client.py ws://localhost:8080 file.wav  -> prints one JSON line per message."""
import asyncio, json, sys, wave
import websockets


async def main(url: str, path: str) -> None:
    with wave.open(path, "rb") as w:
        rate, audio = w.getframerate(), w.readframes(w.getnframes())
    params = f"?sample_rate={rate}&format_turns=True"
    # websockets >= 14 names the option additional_headers; Debian's 10.x calls it extra_headers
    major = int(websockets.__version__.split(".")[0])
    header_option = "additional_headers" if major >= 14 else "extra_headers"
    async with websockets.connect(url + params, **{header_option: {"Authorization": "self-hosted"}}) as ws:
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
