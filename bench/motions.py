"""The motion book as PDF: 200 motions with 600 amendments (issue 17).

Target: under 15 s and under 300 MB. Prints the book's time and peak memory next to a
baseline in the same run: a bare fpdf2 document of the same words (every motion's
text, its reasoning and each amendment's new text as plain paragraphs, in the same
fonts), without line numbers, contents or diffs. Each render runs in a child process
of its own, so its peak resident memory (ru_maxrss: the interpreter and the imports
count, as in a worker process) is its own; the child reports the memory before the
render too, so what the render adds shows apart. Wall time and CPU time are both
printed: on a busy machine other work stretches the wall time, not the CPU time.
Usage: python bench/motions.py [--motions N] [--amendments N] [--rounds N]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WORDS = (
    "Der Ortsverein fordert die Landesregierung auf, den öffentlichen Nahverkehr in "
    "allen Stadtteilen auszubauen und einen verlässlichen Takt von zehn Minuten auch "
    "in den Außenbezirken sicherzustellen. Dafür sind zusätzliche Mittel im Haushalt "
    "vorzusehen, die Kommunen zu entlasten und die Beschäftigten fair zu bezahlen. "
    "Wir setzen uns für bezahlbaren Wohnraum, gute Schulen, eine gerechte "
    "Steuerpolitik, starke Gewerkschaften und eine solidarische Gesellschaft ein, in "
    "der niemand zurückgelassen wird; Klimaschutz und soziale Sicherheit gehören "
    "zusammen (Beschluss des Unterbezirksparteitags 2025)."
).split()


def make_book(motions: int, amendments: int, seed: int = 17):
    """A deterministic book: motions of 3–7 blocks (a heading, paragraphs, list
    items), amendments spread over them, each rewriting 1–3 lines of its motion."""
    from motions.book_pdf import BookAmendment, BookMotion, MotionBook
    from motions.text import excerpt, number_lines

    rnd = random.Random(seed)

    def sentence(low: int, high: int) -> str:
        return " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(low, high)))

    counts = [0] * motions
    for _ in range(amendments):
        counts[rnd.randrange(motions)] += 1
    out = []
    for number, count in enumerate(counts, 1):
        blocks = [f"## {sentence(3, 7)}"]
        for _ in range(rnd.randint(2, 6)):
            if rnd.random() < 0.25:
                blocks.append("\n".join(f"- {sentence(6, 25)}" for _ in range(3)))
            else:
                blocks.append(sentence(30, 90))
        text = "\n\n".join(blocks)
        lines = len(number_lines(text))
        moved = []
        for index in range(count):
            first = rnd.randint(1, lines)
            last = min(lines, first + rnd.randint(0, 2))
            words = excerpt(text, first, last).split(" ")
            for _ in range(rnd.randint(1, 4)):  # replace, insert, strike a word
                at = rnd.randrange(len(words))
                action = rnd.choice(("replace", "insert", "delete"))
                if action == "replace":
                    words[at] = rnd.choice(WORDS).upper()
                elif action == "insert":
                    words.insert(at, rnd.choice(WORDS).upper())
                elif len(words) > 1:
                    del words[at]
            moved.append(
                BookAmendment(
                    label=f"Ä{index + 1}",
                    first=first,
                    last=last,
                    text=" ".join(words),
                    submitter=f"Mitglied {rnd.randint(1, 5000)}",
                    status="eingereicht",
                    reasoning=sentence(10, 40),
                )
            )
        out.append(
            BookMotion(
                number=f"A{number}",
                title=sentence(4, 12),
                text=text,
                reasoning="\n\n".join(sentence(40, 120) for _ in range(2)),
                submitters=(f"OV {rnd.randint(1, 300)}", f"Mitglied {number}"),
                status="zugelassen",
                category=rnd.choice(("Verkehr", "Wohnen", "Arbeit", "Bildung")),
                amendments=tuple(moved),
            )
        )
    return MotionBook(
        title="Landesparteitag 2027",
        organisation="Landesverband",
        occasion="Ordentlicher Landesparteitag",
        deadline="1. Februar 2027, 24:00 Uhr",
        created="3. Dezember 2026",
        motions=tuple(out),
    )


def baseline_pdf(book) -> bytes:
    """The same words in the same fonts, as plain paragraphs: what any PDF of this
    book costs at least."""
    from fpdf import FPDF

    from motions.book_pdf import FONTS

    doc = FPDF(format="A4")
    doc.add_font("dejavu", "", str(FONTS / "DejaVuSans.ttf"))
    doc.add_font("dejavu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    doc.set_font("dejavu", "", 9.5)
    doc.add_page()
    for motion in book.motions:
        doc.add_page()
        doc.set_font("dejavu", "B", 14)
        doc.multi_cell(0, 7, f"{motion.number}: {motion.title}", new_x="LMARGIN")
        doc.set_font("dejavu", "", 9.5)
        for part in (motion.text, motion.reasoning):
            doc.multi_cell(0, 4.6, part, new_x="LMARGIN", new_y="NEXT")
        for amendment in motion.amendments:
            doc.multi_cell(0, 4.6, amendment.text, new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())


def child(kind: str, motions: int, amendments: int) -> None:
    """Render once in this process and print JSON: seconds, MB, pages."""
    from pypdf import PdfReader

    from motions.book_pdf import book_pdf

    book = make_book(motions, amendments)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0, c0 = time.perf_counter(), time.process_time()
    data = book_pdf(book) if kind == "book" else baseline_pdf(book)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    pages = len(PdfReader(io.BytesIO(data)).pages)  # after the peak was taken
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu": cpu,
                "peak_mb": peak,
                "before_mb": before,
                "pages": pages,
                "size_mb": len(data) / 2**20,
            }
        )
    )


def run_child(kind: str, args) -> dict:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            kind,
            "--motions",
            str(args.motions),
            "--amendments",
            str(args.amendments),
        ],
        capture_output=True,
        text=True,
    )
    if out.returncode:
        sys.exit(f"the {kind} child failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--motions", type=int, default=200)
    parser.add_argument("--amendments", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--child", choices=("book", "baseline"))
    args = parser.parse_args()
    if args.child:
        child(args.child, args.motions, args.amendments)
        return
    from bench.forum import machine  # the parent only: the children stay lean

    print(f"machine: {machine()}")
    print(
        f"motion book: {args.motions} motions, {args.amendments} amendments; "
        f"target under 15 s and under 300 MB"
    )
    for round_ in range(1, args.rounds + 1):
        base = run_child("baseline", args)
        book = run_child("book", args)
        for name, r in (("baseline (plain paragraphs)", base), ("motion book", book)):
            print(
                f"round {round_} {name:28} {r['seconds']:6.2f} s "
                f"({r['cpu']:5.2f} s CPU), "
                f"peak RSS {r['peak_mb']:6.1f} MB ({r['before_mb']:5.1f} MB before "
                f"rendering), {r['pages']} pages, {r['size_mb']:.1f} MB"
            )
        print(
            f"round {round_} ratio book/baseline: time "
            f"{book['seconds'] / base['seconds']:.2f}x "
            f"(CPU {book['cpu'] / base['cpu']:.2f}x), "
            f"added memory {(book['peak_mb'] - book['before_mb']):.1f} MB vs "
            f"{(base['peak_mb'] - base['before_mb']):.1f} MB"
        )
    print(f"after: {machine().rpartition('; ')[2]}")


if __name__ == "__main__":
    main()
