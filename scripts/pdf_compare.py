"""How well articast reads a PDF, against the bare text extractors and the document's own text.

    pip install pypdf pdfminer.six          # the bare extractors compared (not articast's dependencies)
    python scripts/pdf_compare.py paper.pdf paper.txt [--header "Running head" ...] [--never "text" ...]

paper.txt is the document's text as written (for a LaTeX paper, `pandoc -f latex -t plain --wrap=none
paper.tex`; its code blocks, indented by four spaces, are not counted).
For each reader it prints how many of the text's sentences (six words or more) it reads in order, how
many of the --header strings (running heads, page numbers) and --never strings (reference-list entries)
it reads, and how long it took. A sentence counts when its words appear, in order, after the previous
sentence found (words compared in lower case, letters and digits only).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower().replace("\ufb01", "fi").replace("\ufb02", "fl"))


def sentences(text: str) -> list[list[str]]:
    """The text's sentences of six words or more, as words. Lines indented by four spaces (pandoc's
    code blocks, with --wrap=none) are code, which no reader should say as prose: they end a sentence."""
    prose = "\n".join(". " if line.startswith("    ") else line for line in text.splitlines())
    found = []
    for sentence in re.split(r"(?<=[.!?])\s+", " ".join(prose.split())):
        said = words(sentence)
        if len(said) >= 6:
            found.append(said)
    return found


def in_order(truth: list[list[str]], read: str) -> int:
    """How many of the true sentences appear in ``read``, each after the one before it."""
    text = " " + " ".join(words(read)) + " "
    position = 0
    count = 0
    for sentence in truth:
        at = text.find(" " + " ".join(sentence) + " ", position)
        if at >= 0:
            count += 1
            position = at + 1
    return count


def pypdf_text(path: Path) -> str:
    import pypdf

    return "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(str(path)).pages)


def pdfminer_text(path: Path) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(str(path))


def pdfium_text(path: Path) -> str:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    return "\n".join(document[i].get_textpage().get_text_bounded() for i in range(len(document)))


def articast_text(path: Path) -> str:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from articast.ingest.pdf import read_pdf

    article = read_pdf(path.read_bytes(), str(path))
    return "\n".join([article.title] + [part for section in article.sections
                                        for part in [section.title or "", *section.paragraphs]])


READERS = {"pypdf": pypdf_text, "pdfminer.six": pdfminer_text, "pypdfium2": pdfium_text, "articast": articast_text}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pdf", type=Path)
    parser.add_argument("truth", type=Path)
    parser.add_argument("--header", action="append", default=[], help="a running head or foot (repeatable)")
    parser.add_argument("--never", action="append", default=[], help="text that must not be read (repeatable)")
    args = parser.parse_args()
    truth = sentences(args.truth.read_text(encoding="utf-8"))
    print(f"{args.pdf.name}: {len(truth)} sentences in the text")
    print(f"{'reader':<14}{'in order':>9}{'heads':>7}{'never':>7}{'seconds':>9}")
    for name, reader in READERS.items():
        started = time.perf_counter()
        try:
            read = reader(args.pdf)
        except ImportError as exc:
            print(f"{name:<14} not installed ({exc.name})")
            continue
        took = time.perf_counter() - started
        flat = " ".join(words(read))
        heads = sum(flat.count(" ".join(words(head))) for head in args.header)
        never = sum(flat.count(" ".join(words(text))) for text in args.never)
        print(f"{name:<14}{in_order(truth, read):>9}{heads:>7}{never:>7}{took:>9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
