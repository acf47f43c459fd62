"""Streams a WAV file (PCM) or an Ogg Opus file (.opus: encoding ogg_opus, with session_heartbeat)
through the official AssemblyAI Python SDK (unmodified) and prints every event as a JSON line:
{"event": "Begin" | "Turn" | "Heartbeat" | "Termination" | "Error", "data": {...}}.

The SDK connects to wss://{api_host}/v3/ws with a context from ssl.create_default_context(),
so point SSL_CERT_FILE at the test CA. Exits 0 only after a Termination and no Error.
Usage: python python_sdk_stream.py <host:port> <wav or opus file> [api key | token:<token>]
"""

import json
import sys
import time
import wave

from assemblyai.streaming.v3 import (
    BeginEvent,
    Encoding,
    HeartbeatEvent,
    StreamingClient,
    StreamingClientOptions,
    StreamingError,
    StreamingEvents,
    StreamingParameters,
    TerminationEvent,
    TurnEvent,
)

api_host, wav_path = sys.argv[1], sys.argv[2]
credential = sys.argv[3] if len(sys.argv) > 3 else "self-hosted"
seen = set()


def emit(event, data):
    seen.add(event)
    print(json.dumps({"event": event, "data": data}), flush=True)


def on_begin(_client, event: BeginEvent):
    emit("Begin", event.model_dump(mode="json"))


def on_turn(_client, event: TurnEvent):
    emit("Turn", event.model_dump(mode="json"))


def on_heartbeat(_client, event: HeartbeatEvent):
    emit("Heartbeat", event.model_dump(mode="json"))


def on_termination(_client, event: TerminationEvent):
    emit("Termination", event.model_dump(mode="json"))


def on_error(_client, error: StreamingError):
    emit("Error", {"message": str(error), "code": error.code})


auth = {"token": credential[6:]} if credential.startswith("token:") else {"api_key": credential}
client = StreamingClient(
    # generous timeouts: the test machine is small and shared
    StreamingClientOptions(api_host=api_host, connect_timeout=10, terminate_timeout=30, **auth)
)
client.on(StreamingEvents.Begin, on_begin)
client.on(StreamingEvents.Turn, on_turn)
client.on(StreamingEvents.Termination, on_termination)
client.on(StreamingEvents.Heartbeat, on_heartbeat)
client.on(StreamingEvents.Error, on_error)

if wav_path.endswith(".opus"):
    # self-describing: no sample_rate; 1 kB pieces of the Ogg stream, about 0.4 s of audio each
    client.connect(
        StreamingParameters(
            encoding=Encoding.ogg_opus,
            session_heartbeat=True,
            speech_model="universal-streaming-english",
            format_turns=True,
        )
    )
    with open(wav_path, "rb") as opus:
        while piece := opus.read(1000):
            client.stream(piece)
            time.sleep(0.3)
else:
    with wave.open(wav_path, "rb") as wav:
        assert wav.getnchannels() == 1 and wav.getsampwidth() == 2, "mono 16-bit PCM WAV"
        rate = wav.getframerate()
        client.connect(
            StreamingParameters(
                sample_rate=rate,
                speech_model="universal-streaming-english",
                format_turns=True,
            )
        )
        frames = rate * 50 // 1000  # 50 ms chunks, in real time
        while chunk := wav.readframes(frames):
            client.stream(chunk)
            time.sleep(0.05)

client.disconnect(terminate=True)
sys.exit(0 if "Termination" in seen and "Error" not in seen else 1)
