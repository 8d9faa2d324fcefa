"""How fast a voice note becomes text, and what a running transcription costs the confirmations.

    .venv/bin/python bench/transcribe.py [NOTE_SECONDS] [TIPS_PER_SECOND] [SECONDS]

1. Realtime factor: a NOTE_SECONDS (default 60) Dutch voice note spoken by espeak-ng, as Opus in
   Ogg, through the desk's own path (pinned ffmpeg to PCM, then the limited, niced child with
   TIPDESK_TRANSCRIBE_THREADS = 2 and the bundled model), against bare faster-whisper in this
   process on the same samples with the same options (the model loaded beforehand). The desk's
   figure includes starting the child and loading the model; the fixed part is measured alone
   on a one-second note. Goal: ≥ 5× realtime on 2 cores.
2. Confirmation latency (bench/confirmation.py's stream: new readers at TIPS_PER_SECOND,
   default 30, for SECONDS, default 10) without and with transcriptions running back to back
   beside the desk, alternating twice. The transcriptions run in this process's children, as
   the worker's would: the worker itself only waits on the child's pipe.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))
from bench.confirmation import desk_processes, fake_graph, measured, report
from bench.ingest import desk_env, free_port, wait_up
from media_store.ffmpeg import Ffmpeg
from media_store.paths import MediaStore
from media_store.voice import BUNDLED, Transcription, find_model, transcribe
from media_store.voice_child import load_model

SENTENCES = (
    "Er is een boom omgevallen in de Stationsstraat. De weg is helemaal versperd. "
    "De brandweer is onderweg en de politie leidt het verkeer om via de Kerkstraat. "
    "Een auto is geraakt, maar er zijn volgens mij geen gewonden. "
)
FFMPEG = Ffmpeg.locate()


def spoken_note(folder: Path, seconds: float) -> Path:
    wav, note = folder / f"note-{seconds:g}.wav", folder / f"note-{seconds:g}.ogg"
    text = SENTENCES * max(1, int(seconds / 10) + 1)
    subprocess.run(["espeak-ng", "-v", "nl", "-w", str(wav), text], check=True)
    subprocess.run(
        [FFMPEG.binary, "-loglevel", "error", "-y", "-i", str(wav), "-af", "apad",
         "-t", str(seconds), "-c:a", "libopus", "-ac", "1", "-b:a", "24k", str(note)],
        check=True,
    )  # fmt: skip
    return note


def setup(deadline: float = 1200) -> Transcription:
    return Transcription(find_model(BUNDLED), threads=2, max_seconds=3600, deadline=deadline)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def desk_transcription(
    store: MediaStore, note: Path
) -> tuple[float, float, dict[str, object]]:
    """Wall seconds, CPU seconds of the children (ffmpeg and the transcription child), result."""
    started, cpu = time.perf_counter(), children_cpu()
    transcript = await transcribe(FFMPEG.pinned("audio/ogg"), store, note, setup())
    return time.perf_counter() - started, children_cpu() - cpu, transcript


def bare_transcription(note: Path) -> tuple[float, float]:
    """faster-whisper in this process, model already loaded: the floor the child can reach."""
    import numpy as np

    pcm = note.with_suffix(".pcm")
    subprocess.run(
        [FFMPEG.binary, "-loglevel", "error", "-y", "-i", str(note), "-ac", "1", "-ar", "16000",
         "-f", "s16le", str(pcm)],
        check=True,
    )  # fmt: skip
    audio = np.fromfile(pcm, dtype=np.int16).astype(np.float32) / 32768.0
    model = load_model(json.loads(find_model(BUNDLED).spec()), 2)
    started, cpu = time.perf_counter(), time.process_time()
    segments, _ = model.transcribe(
        audio, language="nl", beam_size=1, temperature=0.0, condition_on_previous_text=False
    )
    list(segments)
    return time.perf_counter() - started, time.process_time() - cpu


def realtime(folder: Path, seconds: float) -> None:
    store = MediaStore(folder / "media")
    note, blip = spoken_note(folder, seconds), spoken_note(folder, 1)
    fixed, fixed_cpu, _ = asyncio.run(desk_transcription(store, blip))
    whole, whole_cpu, transcript = asyncio.run(desk_transcription(store, note))
    bare, bare_cpu = bare_transcription(note)
    words = len(str(transcript["text"]).split())
    print(f"transcription: a {seconds:g} s Dutch voice note, 2 threads, {os.cpu_count()} cores,")
    print(f"  load average {os.getloadavg()[0]:.1f}; 'idle' = realtime on two free cores (CPU / 2)")
    for name, wall, cpu in (
        ("desk (child, model load included)", whole, whole_cpu),
        ("bare faster-whisper, model loaded", bare, bare_cpu),
    ):
        print(
            f"  {name:<34} {wall:6.1f} s {seconds / wall:5.1f}× realtime   CPU {cpu:6.1f} s"
            f"  idle {seconds / (cpu / 2):5.1f}×"
        )
    print(f"  {'a 1 s note end to end (fixed cost)':<34} {fixed:6.1f} s   CPU {fixed_cpu:6.1f} s")
    print(f"  ratio desk / bare CPU: {whole_cpu / bare_cpu:.2f}   ({words} words, "
          f"{transcript['language']}; goal: ≥ 5× realtime)")  # fmt: skip


def transcribing_beside(folder: Path, stop: threading.Event) -> threading.Thread:
    store = MediaStore(folder / "busy")
    note = spoken_note(folder, 60)

    def keep_busy() -> None:
        while not stop.is_set():
            asyncio.run(desk_transcription(store, note))  # one after another, as the worker

    thread = threading.Thread(target=keep_busy, daemon=True)
    thread.start()
    return thread


def confirmations(folder: Path, rate: float, seconds: float) -> None:
    graph_port, desk_port = free_port(), free_port()
    graph = f"http://127.0.0.1:{graph_port}"
    env = desk_env(str(folder / "desk"), f"{graph}/v23.0", TIPDESK_OPENING_HOURS="24/7")
    subprocess.run(
        [sys.executable, "-m", "tipdesk", "migrate"], env=env, check=True, capture_output=True
    )
    desk = desk_processes(desk_port, env)
    processes = [fake_graph(graph_port, f"http://127.0.0.1:{desk_port}/webhooks/whatsapp", env)]
    try:
        for url in (f"{graph}/_fake/stats", f"http://127.0.0.1:{desk_port}/health"):
            asyncio.run(wait_up(url))
        print(f"confirmation beside transcription: {rate:g} new tips/s for {seconds:g} s")
        for round_number in range(2):
            quiet = measured(desk, graph, rate, seconds, f"316{round_number}0")
            report(f"quiet, round {round_number + 1}", *quiet)
            stop = threading.Event()
            busy = transcribing_beside(folder, stop)
            time.sleep(5)  # the child past its model load, decoding
            loaded = measured(desk, graph, rate, seconds, f"316{round_number}1")
            stop.set()
            report(f"transcribing, round {round_number + 1}", *loaded)
            busy.join()
    finally:
        for process in [*desk, *processes]:
            process.terminate()
            process.wait(timeout=30)


def main(note_seconds: float, rate: float, seconds: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        realtime(Path(folder), note_seconds)
        confirmations(Path(folder), rate, seconds)


if __name__ == "__main__":
    arguments = [float(a) for a in sys.argv[1:4]]
    main(*(arguments + [60.0, 30.0, 10.0][len(arguments) :]))
