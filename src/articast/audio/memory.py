"""What an episode made again keeps from its last run: its gain, its music level, its outro's length.

Re-making an edited episode with the same gain and music leaves every chunk the edit did not touch
bit for bit as it was encoded, so it is reused rather than encoded again (see audio.chunked). Each
choice is remembered (audio.memo) by where the episode's MP3 lives (``identity``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from . import memo

if TYPE_CHECKING:
    import numpy as np

    from .mix import MixSettings

GOAL_STEP_LU = 0.05
"""The head's loudness goal is rounded to this step, so an edit further on (which moves the expected
share of music by a hair) plans the head again with the same goal and finds the plan remembered."""

HEAD_DRIFT_LU = 0.2
"""An episode made again keeps its gain without planning when its head's loudness (before gain) is
within this of the head the gain was planned on, which spares the limiter's trials (0.15-0.3 s).
ffmpeg's meter reads in steps of 0.1 LU, so this is the same reading or up to two steps away.
Measured on the bench's one-word edit in the example's head, at one step (0.1) and 0.15 dB: 3 of 8
runs planned again (1.21-1.69 s against 0.99-1.08 s), and 2 of 14 others re-encoded every chunk
(1.67-1.70 s). At two steps and 0.3 dB: a median of 1.036 s against 1.117 (14 runs each,
interleaved), and six episodes measured -15.98 to -16.05 LUFS (of six at 0.1, one re-planned and
landed at -15.85)."""

STICKY_GAIN_DB = 0.3
"""An episode made again keeps its last gain when the new plan is this close (a fraction of the
1 dB a listener can just hear, and of the 1 LU the target allows): an edit in the head moves the
plan by hundredths to tenths of a decibel, and with the gain unchanged every chunk the edit did not
touch is reused as it was encoded. An episode that still lands more than pipeline.REDO_LU off target is
encoded again at the corrected gain."""


def episode_gain(head: np.ndarray, sr: int, goal: float, identity: str, mix_settings: MixSettings,
                 corrected_db: float | None) -> tuple[float, str]:
    """The gain for this episode's head to meet ``goal`` LUFS, and how it was found.

    The last gain of the same episode (``identity``) is kept when its head is as loud as when that
    gain was planned, or when the new plan is close to it: re-making an edited episode then leaves
    everything the edit did not touch bit for bit the same. A corrected gain (the whole landed off
    target at the first) is used as given and remembered, so the next run does not miss again.
    """
    from . import plan_gain  # (looked up when called, so a test can stand in for it)
    from .loudness import head_lufs

    measured = head_lufs(head, sr)
    gain_key = memo.digest("episode-gain", identity, mix_settings)
    head_key = memo.digest("episode-head", identity, mix_settings, goal)
    kept, kept_head = memo.recall(gain_key), memo.recall(head_key)
    if corrected_db is not None:
        gain_db, how = corrected_db, "corrected"
        memo.remember(gain_key, gain_db)
        memo.remember(head_key, measured)
    # Readings are 0.1 LU steps held as floats: -17.29 - -17.39 is a hair over 0.1.
    elif kept is not None and kept_head is not None and abs(measured - kept_head) <= HEAD_DRIFT_LU + 1e-6:
        gain_db, how = kept, "kept: the head is as loud as when it was planned"
    else:
        gain_db, how = plan_gain(head, sr, goal), "planned"
        if kept is not None and abs(kept - gain_db) <= STICKY_GAIN_DB:
            gain_db, how = kept, f"kept: within {STICKY_GAIN_DB} dB of the plan"
            if kept_head is None:
                memo.remember(head_key, measured)
            # else the head the kept gain was planned on stays the reference, so drift cannot add up
        else:
            memo.remember(gain_key, gain_db)
            memo.remember(head_key, measured)
    return gain_db, how


MUSIC_STICKY_LU = 0.5
"""An episode made again keeps its music level when its head's speech is within this of the speech
the level was set against. An edit in the head moves that loudness by hundredths of a LU, and a new
music level changes the intro's and the outro's samples, so both chunks were encoded again (0.3 s
of the example's warm run); half a LU under the voice is not heard."""


def music_reference(identity: str, mix_settings: MixSettings) -> Callable[[float], float]:
    """The head's speech loudness the music is set against: the last one for this episode, if close."""
    key = memo.digest("music-reference", identity, mix_settings)

    def reference(measured: float) -> float:
        kept = memo.recall(key)
        if kept is not None and abs(kept - measured) <= MUSIC_STICKY_LU:
            return kept  # the reference stays put, so small moves cannot add up over many edits
        memo.remember(key, measured)
        return measured

    return reference


OUTRO_STICKY_MS = 1500
"""An episode made again keeps its outro's length while its share of the new speech is within this
of it. The length follows the speech in whole seconds of its share, and an edit that moved the
speech across a whole second (Piper's noise alone moves the example's 100 s by half a second)
made the outro a second longer or shorter, and its chunk was encoded again."""


def outro_reference(identity: str, mix_settings: MixSettings) -> Callable[[float], int]:
    """How long the outro plays after this much speech: as long as last time for this episode, if close."""
    from .mix import outro_max_ms

    key = memo.digest("outro-length", identity, mix_settings)
    kept = memo.recall(key)
    written = [kept]

    def length(speech_ms: float) -> int:
        exact = mix_settings.outro_share * speech_ms
        chosen = outro_max_ms(speech_ms, mix_settings)
        if kept is not None and chosen != kept and abs(kept - exact) <= OUTRO_STICKY_MS:
            chosen = int(kept)
        if chosen != written[0]:  # the last call, for the whole speech, is the one that stays
            memo.remember(key, chosen)
            written[0] = chosen
        return chosen

    return length


