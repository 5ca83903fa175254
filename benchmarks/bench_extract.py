"""Extraction quality on the hand-annotated gold set, and speed next to spaCy's tokenizer.

Quality: precision, recall and F1 of ``jdanalyzer`` extraction against
``tests/data/extraction_gold.jsonl`` (25 corpus postings annotated by hand; see
``tests/data/EXTRACTION_GOLD.md``), micro-averaged over mentions, for skills and tasks
together and apart, with overlap and exact-boundary matching.

Speed: words per second of ``extract_many`` (normalization included) on ``--n``
non-held-out corpus postings, next to ``spacy.blank("en")``'s tokenizer alone
(``nlp.pipe`` over the same normalized texts) in the same run. Both are warmed first; each
is timed ``--repeat`` times, the two taking turns so that a swing in the load of the
machine hits both alike, and the best run of each is kept; the ratio is given for wall
time and for CPU time (``time.process_time``). Words are whitespace-separated
tokens of the normalized texts, the same count for both.

The reference path (``build_pipeline(reference=True)``: spaCy's own sentencizer, and
PhraseMatcher, Matcher and ``filter_spans`` in ``TaxonomyMatcher.reference_matches``; it
finds the same matches as the fast path behind ``extract_many``, see
``tests/extraction/test_parity.py``) is timed in the same turns on the first
``--reference-n`` postings of the sample, and so is building each pipeline and matching a
first doc. These timings are where the fast path (``jdanalyzer.extraction.fastpath``) and
the speed-minded parts of the components answer for themselves.

Usage::

    python benchmarks/bench_extract.py                      # both parts
    python benchmarks/bench_extract.py --verbose --no-speed # quality, with every error listed
    python benchmarks/bench_extract.py --taxonomy /tmp/taxonomy_next  # try an edited taxonomy
"""

from __future__ import annotations

import argparse
import csv
import gzip
import random
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from timing import best_of_interleaved

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora"
FIXTURE_POSTINGS = REPO / "tests" / "data" / "postings"
#: Corpus postings annotated by hand, then postings written for the project (their texts in
#: tests/data/postings): together the gold set of EXTRACTION_GOLD.md.
DEFAULT_GOLD = (REPO / "tests" / "data" / "extraction_gold.jsonl", FIXTURE_POSTINGS / "extraction_gold.jsonl")
TARGET_PRECISION, TARGET_RECALL, TARGET_TASK_F1, TARGET_SPEED_RATIO = 0.95, 0.88, 0.85, 0.5


def read_postings(corpus: Path) -> dict[str, str]:
    """Descriptions of the corpus postings that are not held out, by posting id."""
    heldout = set((corpus / "heldout-ids.txt").read_text(encoding="utf-8").split())
    csv.field_size_limit(sys.maxsize)
    with gzip.open(corpus / "postings.csv.gz", "rt", encoding="utf-8", newline="") as handle:
        return {
            row["posting_id"]: row["description"]
            for row in csv.DictReader(handle)
            if row["posting_id"] not in heldout
        }


def read_fixture_postings(folder: Path = FIXTURE_POSTINGS) -> dict[str, str]:
    """Descriptions of the postings written for the project, by file stem (as the tests read them)."""
    out = {}
    for path in sorted(folder.glob("*.txt")):
        _, _, description = path.read_text(encoding="utf-8").partition("\n")
        out[path.stem] = description.strip("\n")
    return out


def extractor(taxonomy_dir: Path | None) -> Callable[[Sequence[str]], Iterator]:
    """``extract_many``, or the same pipeline over the taxonomy files in ``taxonomy_dir``."""
    from jdanalyzer.extraction.extract import doc_to_extraction, extract_many, prepare_text

    if taxonomy_dir is None:
        return lambda texts: extract_many(texts)

    import spacy

    from jdanalyzer.extraction import components as component  # also registers the lemmatizer factory
    from jdanalyzer.extraction.pipeline import _SENTENCE_PUNCT
    from jdanalyzer.extraction.taxonomy import Taxonomy

    taxonomy = Taxonomy.from_jsonl([taxonomy_dir / "skills.jsonl", taxonomy_dir / "tasks.jsonl"])
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer", config={"punct_chars": _SENTENCE_PUNCT})
    nlp.add_pipe("jdanalyzer_lemmatizer")
    nlp.initialize()
    matcher = component.TaxonomyMatcher(nlp, taxonomy=taxonomy)

    def run(texts: Sequence[str]) -> Iterator:
        prepared = (prepare_text(t) for t in texts)
        for doc, truncated in nlp.pipe(prepared, batch_size=64, as_tuples=True):
            yield doc_to_extraction(matcher(doc), truncated=truncated, taxonomy=taxonomy)

    return run


def quality(postings: dict[str, str], gold_paths: Sequence[Path], run: Callable, *, verbose: bool) -> dict:
    from jdanalyzer.extraction.gold import load_gold, score_mentions

    gold = {pid: mentions for path in gold_paths for pid, mentions in load_gold(path).items()}
    missing = sorted(set(gold) - set(postings))
    if missing:
        raise SystemExit(f"gold postings not in the corpus (or held out): {', '.join(missing)}")
    ids = list(gold)
    extractions = dict(zip(ids, run([postings[i] for i in ids]), strict=True))
    scores = score_mentions(gold, {i: e.mentions for i, e in extractions.items()})
    n_missing = sum(m.id.startswith("missing:") for ms in gold.values() for m in ms)
    names = " + ".join(str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)
                       for path in gold_paths)
    print(f"Quality on {len(gold)} hand-annotated postings ({names}): "
          f"{sum(map(len, gold.values()))} gold mentions, {n_missing} of them naming terms "
          "the taxonomy lacks (missing:...)")
    print(f"  {'matching':<9}{'kind':<7}{'precision':>10}{'recall':>8}{'F1':>7}"
          f"{'predicted':>11}{'gold':>6}")
    for mode in ("overlap", "exact"):
        for kind in ("all", "skill", "task"):
            s = scores[mode][kind]
            print(f"  {mode:<9}{kind:<7}{s['precision']:>10.3f}{s['recall']:>8.3f}{s['f1']:>7.3f}"
                  f"{s['predicted']:>11}{s['gold']:>6}")
    overall, tasks = scores["overlap"]["all"], scores["overlap"]["task"]
    for name, value, target in (("precision", overall["precision"], TARGET_PRECISION),
                                ("recall", overall["recall"], TARGET_RECALL),
                                ("task F1", tasks["f1"], TARGET_TASK_F1)):
        verdict = "meets" if value >= target else "MISSES"
        print(f"  overlap {name} {value:.3f} {verdict} the target >= {target:.2f}")
    if verbose:
        for title, rows in (("False positives", scores["false_positives"]),
                            ("Misses", scores["misses"])):
            print(f"\n{title} ({len(rows)}):")
            for posting_id, m in rows:
                text = extractions[posting_id].text
                left = text[max(0, m.start - 40):m.start].replace("\n", " ")
                right = text[m.end:m.end + 40].replace("\n", " ")
                span = text[m.start:m.end]
                print(f"  {posting_id}  {m.kind:<5} {m.id:<28} …{left}[{span}]{right}…")
    return scores


def show(postings: dict[str, str], gold_paths: Sequence[Path], posting_id: str) -> None:
    """Print a posting's normalized text with its gold mentions marked ``[text|id]``."""
    from jdanalyzer.extraction.extract import prepare_text
    from jdanalyzer.extraction.gold import load_gold

    text, _ = prepare_text(postings[posting_id])
    golds = [load_gold(path) for path in gold_paths if path.is_file()]
    mentions = next((gold[posting_id] for gold in golds if posting_id in gold), [])
    out, last = [], 0
    for m in sorted(mentions, key=lambda m: (m.start, -m.end)):
        if m.start < last:  # nested or overlapping: listed below instead
            continue
        out.append(f"{text[last:m.start]}[{text[m.start:m.end]}|{m.id}]")
        last = m.end
    print("".join(out) + text[last:])
    print("\n# all gold mentions (start, end, id, kind, text):")
    for m in mentions:
        print(f"{m.start}\t{m.end}\t{m.id}\t{m.kind}\t{text[m.start:m.end]}")


def speed(postings: dict[str, str], *, n: int, repeat: int, seed: int, reference_n: int) -> float:
    import spacy

    from jdanalyzer.extraction.extract import doc_to_extraction, extract_many, prepare_text
    from jdanalyzer.extraction.pipeline import build_pipeline

    ids = sorted(postings)
    sample = random.Random(seed).sample(ids, min(n, len(ids)))
    raw = [postings[i] for i in sample]
    normalized = [prepare_text(t)[0] for t in raw]
    words = sum(len(t.split()) for t in normalized)
    tokenizer = spacy.blank("en")
    reference_nlp = build_pipeline(reference=True)
    reference_raw = raw[:reference_n]
    reference_words = sum(len(t.split()) for t in normalized[:reference_n])

    def reference_path(texts: Sequence[str]) -> list:
        """What extract_many does, on the reference path."""
        prepared = (prepare_text(t) for t in texts)
        return [
            doc_to_extraction(reference_nlp(clean), truncated=truncated, text=clean)
            for clean, truncated in prepared
        ]

    # Warm all: builds the pipelines and fills spaCy's vocab and lexeme caches.
    list(extract_many(raw[:100]))
    list(tokenizer.pipe(normalized[:100]))
    reference_path(raw[:10])

    works = [lambda: list(extract_many(raw)), lambda: list(tokenizer.pipe(normalized))]
    if reference_raw:
        works.append(lambda: reference_path(reference_raw))
    timings = best_of_interleaved(repeat, works)
    (t_extract, cpu_extract), (t_tokens, cpu_tokens) = timings[:2]
    ratio = t_tokens / t_extract
    print(f"\nSpeed on {len(raw)} non-held-out postings ({words:,} words), best of {repeat}"
          " (runs interleaved):")
    print(f"  jdanalyzer extract_many (normalize + extract) {words / t_extract:>10,.0f} words/s"
          f"  ({t_extract:.2f} s, CPU {cpu_extract:.2f} s)")
    print(f"  spacy.blank('en') tokenizer alone            {words / t_tokens:>10,.0f} words/s"
          f"  ({t_tokens:.2f} s, CPU {cpu_tokens:.2f} s)")
    verdict = "meets" if ratio >= TARGET_SPEED_RATIO else "MISSES"
    print(f"  ratio extraction / tokenizer: {ratio:.2f} "
          f"({verdict} the target >= {TARGET_SPEED_RATIO}); "
          f"CPU-time ratio {cpu_tokens / cpu_extract:.2f}")
    if reference_raw:
        t_reference, cpu_reference = timings[2]
        print(f"  reference path (plain spaCy), first {len(reference_raw)} postings"
              f" {reference_words / t_reference:>8,.0f} words/s"
              f"  ({t_reference:.2f} s, CPU {cpu_reference:.2f} s)")
        print(f"  fast path / reference path: {(words / t_extract) / (reference_words / t_reference):.1f}x"
              " the words per second")

    # Start-up: build the pipeline and match a first doc (the taxonomy and the lemma table
    # are read by then; the fast path's tables and the reference Matcher are made here).
    (t_build, _), (t_build_reference, _) = best_of_interleaved(
        min(repeat, 3),
        [
            lambda: build_pipeline()("Deploy models."),
            lambda: build_pipeline(reference=True)("Deploy models."),
        ],
    )
    print(f"  start-up: build_pipeline() and a first doc {t_build:.2f} s;"
          f" build_pipeline(reference=True) {t_build_reference:.2f} s")
    return ratio


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help="folder with postings.csv.gz and heldout-ids.txt "
                        "(default: %(default)s)")
    parser.add_argument("--gold", type=Path, action="append",
                        help="gold mentions (JSONL); repeatable (default: the corpus gold and the "
                        "fixture postings' gold)")
    parser.add_argument("--n", type=int, default=1000,
                        help="postings to time (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=5,
                        help="timed runs of each, taking turns; the best counts "
                        "(default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the timing sample")
    parser.add_argument("--reference-n", type=int, default=200,
                        help="postings of the sample to time the reference path on; 0 skips it "
                        "(default: %(default)s)")
    parser.add_argument("--taxonomy", type=Path, default=None,
                        help="folder with skills.jsonl and tasks.jsonl to score instead of the "
                        "packaged taxonomy (quality only)")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="list every false positive and miss with its context")
    parser.add_argument("--no-speed", action="store_true", help="skip the speed part")
    parser.add_argument("--show", metavar="POSTING_ID",
                        help="print a posting's normalized text with its gold mentions; exit")
    parser.add_argument("--no-quality", action="store_true", help="skip the quality part")
    args = parser.parse_args(argv)

    if not (args.corpus / "postings.csv.gz").is_file():
        print(f"Error: no postings.csv.gz in {args.corpus}; pass --corpus", file=sys.stderr)
        return 2
    corpus = read_postings(args.corpus)
    postings = {**corpus, **read_fixture_postings()}
    gold = args.gold or list(DEFAULT_GOLD)
    if args.show:
        if args.show not in postings:
            print(f"Error: {args.show} is neither a non-held-out corpus posting nor a fixture posting",
                  file=sys.stderr)
            return 2
        show(postings, gold, args.show)
        return 0
    if not args.no_quality:
        quality(postings, gold, extractor(args.taxonomy), verbose=args.verbose)
    if not args.no_speed:
        speed(corpus, n=args.n, repeat=args.repeat, seed=args.seed, reference_n=args.reference_n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
