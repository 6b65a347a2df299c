"""Stands in for `arecord` where the machine has no sound card: writes a WAV in real time.

Usage: python fake_microphone.py OUT SECONDS. Like arecord, it records until the
time is up or it gets SIGINT, then finishes the WAV file and exits 0.
"""

import math
import signal
import struct
import sys
import time
import wave

out, seconds = sys.argv[1], float(sys.argv[2])
stop = False


def interrupted(*_args):
    global stop
    stop = True


signal.signal(signal.SIGINT, interrupted)
rate = 16000
with wave.open(out, "wb") as wav:
    wav.setnchannels(1)
    wav.setsampwidth(2)
    wav.setframerate(rate)
    started = time.monotonic()
    n = 0
    while not stop and time.monotonic() - started < seconds:
        block = b"".join(
            struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * (n + i) / rate)))
            for i in range(rate // 10)
        )
        n += rate // 10
        wav.writeframes(block)
        time.sleep(0.1)
