"""Blind double annotation of postings: draw the sample, pack batches, merge the labels.

The postings' text stays in ``../shared``: batches are written to a scratch folder outside
the repo, and only ids, labels, rationales and each annotator's label reach ``corpora/``.

    python scripts/labeling.py sample --out /tmp/label        # ids + strata, batch files
    python scripts/labeling.py hybrids --out /tmp/label --exclude corpora/labels-extra.csv  # more batches
    python scripts/labeling.py merge  --work /tmp/label --out corpora/labels-extra.csv

Sentences the same way: ``sentences --out /tmp/slabel`` (then ``--targeted``), and
``contrasts --out /tmp/slabel`` for the contrasts the sentence model gets wrong.

Each batch is read by two annotators (``a`` and ``b``), each a fresh assistant session that
sees only ``LABELING.md`` and its batch; a third (``c``) labels the postings they disagree on.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from jdanalyzer import normalize

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
LABELS = ("ai_engineer", "data_scientist", "hybrid", "other")
SENTENCE_LABELS = ("ai_engineering", "data_science", "other_work", "not_duty")
SEED = 20261202
MAX_TEXT = 9000

_AI = re.compile(
    r"\b(ai|ml|mlops|llm|genai|generative ai|machine learning|artificial intelligence|"
    r"deep learning|nlp|computer vision)\b"
)


def title_bucket(title: str) -> str:
    """The coarse title bucket of SOURCES.md (titles only: a guide, not a label)."""
    t = str(title).lower()
    if "data engineer" in t:
        return "neighbouring"
    if (_AI.search(t) and re.search(r"engineer|developer|architect", t)) or re.search(
        r"applied scientist|(machine[- ]learning|ml|ai) scientist|research scientist", t
    ):
        return "ai_ml_engineer"
    if "data scien" in t:
        return "data_scientist"
    if re.search(
        r"analyst|\bbi\b|business intelligence|analytics engineer|software|developer|full[- ]?stack|"
        r"back[- ]?end|front[- ]?end|devops|platform|database|data architect|engineer",
        t,
    ):
        return "neighbouring"
    return "other"


def pool(corpus: Path) -> pd.DataFrame:
    """Postings neither labeled for training nor held out."""
    postings = pd.read_csv(corpus / "postings.csv.gz", dtype=str, keep_default_na=False)
    held = set((corpus / "heldout-ids.txt").read_text().split())
    labeled = set(pd.read_csv(corpus / "labels-train.csv", dtype=str).posting_id)
    return postings[~postings.posting_id.isin(held | labeled)].reset_index(drop=True)


def _probabilities(frame: pd.DataFrame) -> pd.DataFrame:
    """The shipped model's label probabilities for each posting (row) of ``frame``."""
    import jdanalyzer

    predictions = jdanalyzer.load_model().classify_many(list(frame.description), list(frame.title))
    return pd.DataFrame([p.probabilities for p in predictions])


def _write_posting_batches(
    out: Path, picked: pd.DataFrame, batch_size: int, *, append: bool
) -> tuple[int, int]:
    """Write postings as batch files, and their ids and strata to ``sample.csv``: a new sample
    from batch 0, or with ``append`` after the folder's rows and batches. Return the first and
    last batch number."""
    (out / "batches").mkdir(parents=True, exist_ok=True)
    sample_file = out / "sample.csv"
    frame = picked[["posting_id", "source", "bucket", "stratum"]]
    if append:
        frame = pd.concat([pd.read_csv(sample_file, dtype=str), frame])
    frame.to_csv(sample_file, index=False)
    first = last = len(list((out / "batches").glob("batch*.txt"))) if append else 0
    for last, start in enumerate(range(0, len(picked), batch_size), first):
        _write_batch(out / "batches" / f"batch{last:02d}.txt", picked.iloc[start:start + batch_size])
    return first, last


def sample(args: argparse.Namespace) -> None:
    frame = pool(args.corpus)
    frame["bucket"] = frame.title.map(title_bucket)
    p = _probabilities(frame)
    ai_source = frame.source.isin(["builtin_ai_2026", "linkedin_aiml_2024"])
    hard = {
        "likely_hybrid": p.hybrid >= 0.25,
        "other_at_ai_company": ai_source & ((p.other >= 0.25) | frame.bucket.isin(["neighbouring", "other"])),
        "ds_with_ai_words": (frame.bucket == "data_scientist") & (p.ai_engineer + p.hybrid >= 0.35),
    }
    frame["stratum"] = "random"
    for name, mask in hard.items():
        frame.loc[mask & (frame.stratum == "random"), "stratum"] = name
    rng = np.random.default_rng(SEED)
    chosen = frame[frame.stratum != "random"]
    if len(chosen) > args.hard:
        chosen = chosen.sample(args.hard, random_state=SEED)
    rest = frame.drop(chosen.index)
    need = args.n - len(chosen)
    # Fill proportionally to source x title bucket, so every cell keeps its share.
    groups = rest.groupby(["source", "bucket"])
    quota = (groups.size() / len(rest) * need).round().astype(int)
    filler = pd.concat(
        g.sample(min(len(g), quota[key]), random_state=int(rng.integers(1 << 31)))
        for key, g in groups
    )
    picked = pd.concat([chosen, filler]).sample(frac=1, random_state=SEED)
    _, last = _write_posting_batches(args.out, picked, args.batch_size, append=False)
    print(f"{len(picked)} postings ({len(chosen)} hard cases) in {last + 1} batches under {args.out}")
    print(picked.stratum.value_counts().to_string())


def hybrids(args: argparse.Namespace) -> None:
    """Add batches of the unlabeled postings the model finds most likely `hybrid`.

    `hybrid` is the rarest label and the least reliable one; the postings already in the
    folder's sample or labeled (``--exclude``), and the held-out ones, are left out. Batches
    are numbered after the folder's.
    """
    out = args.out
    sample_file = out / "sample.csv"
    if not sample_file.is_file():
        raise SystemExit(f"no sample.csv in {out}: draw the first batches with `sample` there")
    done = set(pd.read_csv(sample_file, dtype=str).posting_id)
    for path in args.exclude:
        done |= set(pd.read_csv(path, dtype=str).posting_id)
    frame = pool(args.corpus)
    frame = frame[~frame.posting_id.isin(done)].reset_index(drop=True)
    if frame.empty:
        raise SystemExit("every posting of the pool is labeled or drawn already")
    frame["p_hybrid"] = _probabilities(frame)["hybrid"]
    picked = frame.sort_values("p_hybrid", ascending=False, kind="stable").head(args.n)
    picked = picked.sample(frac=1, random_state=SEED + 11)
    picked["bucket"] = picked.title.map(title_bucket)
    picked["stratum"] = "likely_hybrid_top"
    first, b = _write_posting_batches(out, picked, args.batch_size, append=True)
    print(f"{len(picked)} postings (p(hybrid) {picked.p_hybrid.min():.2f}-{picked.p_hybrid.max():.2f}) "
          f"from a pool of {len(frame)}, in batches {first}..{b} under {out}")


def read_labels(path: Path) -> dict[str, tuple[str, str]]:
    """``id -> (label, rationale)`` from one annotator's CSV (postings or sentences), checked."""
    found: dict[str, tuple[str, str]] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        key = (reader.fieldnames or ["posting_id"])[0]
        for row in reader:
            label = (row.get("label") or "").strip()
            if label not in LABELS + SENTENCE_LABELS:
                print(f"{path.name}: {row.get(key)}: bad label {label!r}", file=sys.stderr)
                continue
            found[row[key].strip()] = (label, (row.get("rationale") or "").strip())
    return found


def _annotations(work: Path) -> tuple[list[tuple[str, str, dict, dict]], dict[str, tuple[str, str]]]:
    """Each finished batch with both annotators' labels, and every third annotator's label."""
    pairs = []
    for path_a in sorted((work / "a").glob("batch*.csv")):
        path_b = work / "b" / path_a.name
        if path_b.exists():
            pairs.append((path_a.stem, path_a.name, read_labels(path_a), read_labels(path_b)))
    third: dict[str, tuple[str, str]] = {}
    for path_c in sorted((work / "c").glob("*.csv")):
        third.update(read_labels(path_c))
    return pairs, third


def disagreements(args: argparse.Namespace) -> None:
    """Pack the postings whose two labels differ, not yet given to a third annotator."""
    pairs, third = _annotations(args.work)
    pending = [pid for _, _, a, b in pairs for pid in sorted(set(a) & set(b))
               if a[pid][0] != b[pid][0] and pid not in third]
    packed = {pid for path in (args.work / "batches").glob("adj*.txt")
              for pid in re.findall(r"(?m)^=== \w+ (\S+) ===", path.read_text(encoding="utf-8"))}
    pending = [pid for pid in pending if pid not in packed]
    if not pending:
        print("nothing to pack")
        return
    n = len(list((args.work / "batches").glob("adj*.txt")))
    path = args.work / "batches" / f"adj{n:02d}.txt"
    if ":" in pending[0]:  # sentence units: copy their text from the batches
        texts = {}
        for batch in (args.work / "batches").glob("batch*.txt"):
            found = re.findall(r"(?m)^=== SENTENCE (\S+) ===\n(.*)$", batch.read_text(encoding="utf-8"))
            texts.update(found)
        path.write_text("".join(f"=== SENTENCE {u} ===\n{texts[u]}\n\n" for u in pending), encoding="utf-8")
    else:
        postings = pd.read_csv(args.corpus / "postings.csv.gz", dtype=str, keep_default_na=False)
        _write_batch(path, postings.set_index("posting_id").loc[pending].reset_index())
    print(f"{len(pending)} postings in {path}")


def merge(args: argparse.Namespace) -> None:
    """Write the adjudicated labels, with each annotator's label, and print agreement."""
    from sklearn.metrics import cohen_kappa_score

    sample_ = pd.read_csv(args.work / "sample.csv", dtype=str)
    held = set((args.corpus / "heldout-ids.txt").read_text().split())
    pairs, third = _annotations(args.work)
    rows, waiting, agreement = [], 0, []
    for batch, _, a, b in pairs:
        both = sorted(set(a) & set(b))
        la, lb = [a[p][0] for p in both], [b[p][0] for p in both]
        agreement.append({"batch": batch, "n": len(both),
                          "agreement": float(np.mean(np.equal(la, lb))),
                          "kappa": cohen_kappa_score(la, lb)})
        for pid in both:
            if pid.split(":")[0] in held:
                raise SystemExit(f"held-out id {pid} in {batch}: refusing")
            if a[pid][0] == b[pid][0]:
                final, rationale, lc = a[pid][0], a[pid][1], ""
            elif pid in third:
                final, rationale, lc = third[pid][0], third[pid][1], third[pid][0]
            else:
                waiting += 1
                continue
            rows.append({"posting_id": pid, "label": final, "rationale": rationale,
                         "annotator_a": a[pid][0], "annotator_b": b[pid][0], "annotator_c": lc,
                         "batch": batch})
    out = pd.DataFrame(rows)
    if "stratum" not in sample_.columns:  # sentences: keep a digest of the text each unit had
        texts: dict[str, str] = {}
        for batch in (args.work / "batches").glob("batch*.txt"):
            found = re.findall(r"(?m)^=== SENTENCE (\S+) ===\n(.*)$", batch.read_text(encoding="utf-8"))
            texts.update(found)
        out["text_sha1"] = [hashlib.sha1(texts[u].encode("utf-8")).hexdigest()[:12]
                            for u in out["posting_id"]]
    if "stratum" in sample_.columns:
        out = out.merge(sample_[["posting_id", "stratum"]], on="posting_id", how="left")
    else:
        out = out.rename(columns={"posting_id": "unit_id"}).merge(sample_, on="unit_id", how="left")
        out = out[[c for c in out.columns if c != "text_sha1"] + ["text_sha1"]]
    out.to_csv(args.out, index=False)
    table = pd.DataFrame(agreement)
    print(table.to_string(index=False, float_format="%.3f"))
    print(f"{len(out)} labeled; {waiting} disagreements wait for a third annotator")
    print(out.label.value_counts().to_string())


def _write_batch(path: Path, batch: pd.DataFrame) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for row in batch.itertuples():
            text = normalize(row.description)
            if len(text) > MAX_TEXT:
                text = text[:MAX_TEXT] + "\n[... rest of the posting cut]"
            fh.write(f"=== POSTING {row.posting_id} ===\nTitle: {row.title}\n"
                     f"Company: {row.company or '(not given)'}\n\n{text}\n\n")


def _write_sentence_batches(
    out: Path, picked: list[tuple[str, str, str]], batch_size: int, *, append: bool
) -> tuple[int, int]:
    """Write ``(unit_id, section, text)`` units as batch files numbered after the folder's,
    and their ids and sections to ``sample.csv`` (after its rows, with ``append``); return
    the first and last batch number. Nothing to write is an error: every unit is drawn already."""
    if not picked:
        raise SystemExit(f"no sentence left to draw under {out}: every candidate is in its sample")
    first = len(list((out / "batches").glob("batch*.txt")))
    sample_file = out / "sample.csv"
    frame = pd.DataFrame(picked, columns=["unit_id", "section", "text"]).drop(columns="text")
    if append:
        frame = pd.concat([pd.read_csv(sample_file, dtype=str), frame])
    frame.to_csv(sample_file, index=False)
    last = first
    for last, start in enumerate(range(0, len(picked), batch_size), first):
        with open(out / "batches" / f"batch{last:02d}.txt", "w", encoding="utf-8") as fh:
            for unit_id, _, text in picked[start:start + batch_size]:
                fh.write(f"=== SENTENCE {unit_id} ===\n{' '.join(text.split())}\n\n")
    return first, last


def sentences(args: argparse.Namespace) -> None:
    """Draw duty-sentence units (at most 3 per posting) for the sentence labeling.

    With ``--targeted``, add batches of duty and requirement units only, from postings whose
    training label is an AI or data-science role (random units are mostly other work or
    no duty at all, and the sentence model needs both sides' duties).
    """
    from jdanalyzer.text.sections import ROLE_KINDS, split_units

    postings = pd.read_csv(args.corpus / "postings.csv.gz", dtype=str, keep_default_na=False)
    held = set((args.corpus / "heldout-ids.txt").read_text().split())
    postings = postings[~postings.posting_id.isin(held)]
    out = args.out
    (out / "batches").mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    if args.targeted:
        labels = pd.concat([pd.read_csv(path, dtype=str) for path in
                            (args.from_labels or [args.corpus / "labels-train.csv"])])
        roles = labels[labels.label.isin(["ai_engineer", "data_scientist", "hybrid"])].posting_id
        postings = postings[postings.posting_id.isin(set(roles))]
        taken = set(pd.read_csv(out / "sample.csv", dtype=str).unit_id)
    salt = int(args.targeted) + 2 * len(args.from_labels or [])
    postings = postings.sample(frac=1, random_state=SEED + salt)
    rng = np.random.default_rng(SEED + 1 + salt)
    role, rest = [], []
    for row in postings.itertuples():
        text = normalize(row.description)
        units = [u for u in split_units(text) if 15 <= u.end - u.start <= 400]
        if args.targeted:
            units = [u for u in units if u.kind in ROLE_KINDS and u.end - u.start >= 25]
        for u in rng.permutation(len(units))[: 2 if args.targeted else 3] if units else []:
            unit = units[u]
            item = (f"{row.posting_id}:{unit.start}-{unit.end}", unit.kind, text[unit.start:unit.end])
            if item[0] not in taken:
                (role if unit.kind in ROLE_KINDS else rest).append(item)
    n_role = args.n if args.targeted else int(args.n * 0.7)
    picked = role[:n_role] + rest[:args.n - n_role]
    rng.shuffle(picked)
    first, b = _write_sentence_batches(out, picked, args.batch_size, append=args.targeted)
    print(f"{len(picked)} units ({n_role} from role sections) in batches {first}..{b} under {out}")


#: The contrasts the error review found the sentence model getting wrong, and how many units
#: of each to draw: AI words in the units of postings labeled `other` (support, sales,
#: automation), AI tools used or advocated in one's own work, the company's AI told without a
#: building verb, and "tuning" without AI words. Units come from role sections and from the
#: intro and unheaded text, where role summaries stand. The strata only choose what to read
#: (an "agent" may be a person, "A.I." is missed): the annotators label each sentence.
CONTRASTS = {
    "ai_in_other": 300,
    "ai_tools": 150,
    "ai_company": 250,
    "tuning": 100,
}
_AI_WORD = re.compile(r"\b(ai|a\.i\.|ml|llms?|genai|generative ai|machine learning|artificial intelligence|"
                      r"agents?|agentic)\b", re.I)
_AI_TOOLS = re.compile(r"\b(copilot|chatgpt|cursor|claude|ai[- ]assisted|ai[- ]powered tools|ai tools|"
                       r"gen ?ai tools|ai adoption|adopt(ing)? ai|ai literacy|ai fluency|leverag\w+ ai|"
                       r"use of ai|using ai)\b", re.I)
_COMPANY = re.compile(r"\b(we|we're|our|us|company|mission|founded|customers|clients|platform|products?)\b",
                      re.I)
_BUILDS = re.compile(r"\b(build|develop|design|deploy|train|fine-?tun|implement|architect|productioni[sz]e|"
                     r"serve|ship)\w*", re.I)
_TUNING = re.compile(r"\btun(e|es|ed|ing)\b", re.I)


def contrast_kind(sentence: str, posting_label: str) -> str | None:
    """Which contrast of :data:`CONTRASTS` a unit stands for, if any (a sampling stratum, not a label)."""
    if _AI_TOOLS.search(sentence):
        return "ai_tools"
    has_ai = _AI_WORD.search(sentence)
    if has_ai and posting_label == "other":
        return "ai_in_other"
    if has_ai and _COMPANY.search(sentence) and not _BUILDS.search(sentence):
        return "ai_company"
    if not has_ai and _TUNING.search(sentence):
        return "tuning"
    return None


def contrasts(args: argparse.Namespace) -> None:
    """Add batches of units for the contrasts of :data:`CONTRASTS` (at most two per posting).

    Drawn from labeled, non-held-out postings; units already in the work folder's sample are
    left out. The strata come from the posting's label and a few words, only to choose what to
    read: the annotators see the sentence alone.
    """
    from jdanalyzer.text.sections import ROLE_KINDS, split_units

    postings = pd.read_csv(args.corpus / "postings.csv.gz", dtype=str, keep_default_na=False)
    held = set((args.corpus / "heldout-ids.txt").read_text().split())
    labels = pd.concat([pd.read_csv(path, dtype=str) for path in
                        [args.corpus / "labels-train.csv", *args.from_labels]])
    label_of = dict(zip(labels.posting_id, labels.label, strict=True))
    postings = postings[~postings.posting_id.isin(held) & postings.posting_id.isin(set(label_of))]
    postings = postings.sample(frac=1, random_state=SEED + 7)
    out = args.out
    sample_file = out / "sample.csv"
    taken = set(pd.read_csv(sample_file, dtype=str).unit_id)
    kinds = (*ROLE_KINDS, "intro", "other")
    found: dict[str, list[tuple[str, str, str]]] = {name: [] for name in CONTRASTS}
    for row in postings.itertuples():
        if all(len(found[name]) == quota for name, quota in CONTRASTS.items()):
            break
        text = normalize(row.description)
        per_posting = 0
        for unit in split_units(text):
            if per_posting == 2 or not 25 <= unit.end - unit.start <= 400 or unit.kind not in kinds:
                continue
            unit_id = f"{row.posting_id}:{unit.start}-{unit.end}"
            kind = contrast_kind(text[unit.start:unit.end], label_of[row.posting_id])
            if kind and unit_id not in taken and len(found[kind]) < CONTRASTS[kind]:
                found[kind].append((unit_id, unit.kind, text[unit.start:unit.end]))
                per_posting += 1
    picked = [item for items in found.values() for item in items]
    np.random.default_rng(SEED + 7).shuffle(picked)
    first, b = _write_sentence_batches(out, picked, args.batch_size, append=True)
    print(f"{len(picked)} units in batches {first}..{b} under {out}: "
          + ", ".join(f"{name} {len(items)}" for name, items in found.items()))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sample")
    s.add_argument("--out", type=Path, required=True)
    s.add_argument("--n", type=int, default=2600)
    s.add_argument("--hard", type=int, default=1100)
    s.add_argument("--batch-size", type=int, default=125)
    t = sub.add_parser("sentences")
    t.add_argument("--out", type=Path, required=True)
    t.add_argument("--n", type=int, default=2400)
    t.add_argument("--batch-size", type=int, default=400)
    t.add_argument("--targeted", action="store_true")
    t.add_argument("--from-labels", type=Path, action="append",
                   help="with --targeted: the label files whose AI and data-science postings to draw from")
    h = sub.add_parser("hybrids")
    h.add_argument("--out", type=Path, required=True, help="the posting work folder, with its sample.csv")
    h.add_argument("--n", type=int, default=250)
    h.add_argument("--batch-size", type=int, default=125)
    h.add_argument("--exclude", type=Path, action="append", default=[],
                   help="label files whose postings are already labeled")
    c = sub.add_parser("contrasts")
    c.add_argument("--out", type=Path, required=True, help="the sentence work folder, with its sample.csv")
    c.add_argument("--batch-size", type=int, default=400)
    c.add_argument("--from-labels", type=Path, action="append", default=[],
                   help="label files beside labels-train.csv whose postings to draw from")
    d = sub.add_parser("disagreements")
    d.add_argument("--work", type=Path, required=True)
    m = sub.add_parser("merge")
    m.add_argument("--work", type=Path, required=True)
    m.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    commands = {"sample": sample, "hybrids": hybrids, "sentences": sentences, "contrasts": contrasts,
                "disagreements": disagreements, "merge": merge}
    commands[args.command](args)


if __name__ == "__main__":
    main()
