"""The duty reader's sentence model: its learning curve, and what some label batches add.

5-fold cross-validation over ``corpora/sentence-labels.csv`` grouped by company as training
groups postings (``company_groups``), each repeated sentence text kept once (job ads repeat
boilerplate across a company's postings), as ``scripts/contrast_reading.py`` does. Each
training fold keeps a share of its companies (seeded, the smaller shares inside the larger, as
in ``jdanalyzer.model.training``).
``--batches`` alone gives the figures apart for those batches' units and the others;
with ``--leave-out`` their units are also left out of every training fold (still scored), so
two runs compare the same test sentences trained with and without them.

    python scripts/sentence_curve.py                                   # all labels
    python scripts/sentence_curve.py --shares 1 --batches batch{14..24} [--leave-out]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold

from jdanalyzer.model.duties import DUTY_LABELS
from jdanalyzer.model.estimator import fit_duty_reader
from jdanalyzer.model.training import load_sentences

REPO = Path(__file__).resolve().parents[1]


def _share(value: str) -> float:
    share = float(value)
    if not 0 < share <= 1:
        raise argparse.ArgumentTypeError(f"a share is in (0, 1], not {value}")
    return share


def _row(name: str, n: int, truth: np.ndarray, predicted: np.ndarray) -> str:
    per_kind = f1_score(truth, predicted, average=None, labels=list(DUTY_LABELS))
    macro = f1_score(truth, predicted, average="macro", labels=list(DUTY_LABELS))
    return f"{name:<28}{n:>8} {macro:>9.3f} " + " ".join(f"{v:>14.3f}" for v in per_kind)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpora")
    parser.add_argument("--labels", type=Path, default=REPO / "corpora" / "sentence-labels.csv")
    parser.add_argument("--shares", type=_share, nargs="+", default=[0.25, 0.5, 0.75, 1.0],
                        help="shares of each training fold's companies to train on")
    parser.add_argument("--batches", nargs="+", default=[], metavar="BATCH",
                        help="batches whose units are scored apart from the others")
    parser.add_argument("--leave-out", action="store_true",
                        help="train no fold on the units of --batches (they are still scored)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    units = load_sentences(args.corpus / "postings.csv.gz", args.labels,
                           heldout=args.corpus / "heldout-ids.txt")
    if args.leave_out and not args.batches:
        parser.error("--leave-out needs --batches")
    unknown = sorted(set(args.batches) - set(units["batch"]))
    if unknown:
        parser.error(f"no batch {', '.join(unknown)} in {args.labels}")
    units = units.drop_duplicates("input").reset_index(drop=True)
    inputs, labels = units["input"].to_numpy(), units["label"].to_numpy()
    groups = units["group"].to_numpy()
    apart = units["batch"].isin(args.batches).to_numpy()
    left_out = apart & args.leave_out
    print(f"{len(units)} labeled sentences with distinct texts from {len(set(groups))} companies"
          + (f"; {int(apart.sum())} of them in {', '.join(args.batches)}" if apart.any() else "")
          + (", which no fold trains on" if args.leave_out else ""))
    header = " ".join(f"{k:>14}" for k in DUTY_LABELS)
    print(f"{'share / scored on':<28}{'units':>8} {'macro-F1':>9} {header}")
    for share in args.shares:
        predicted = np.empty(len(labels), dtype=object)
        sizes = []
        for fold, (train, test) in enumerate(GroupKFold(5).split(inputs, labels, groups)):
            companies = np.unique(groups[train])
            order = np.random.default_rng(args.seed + fold).permutation(companies)
            kept = order[: max(1, round(len(order) * share))]
            train = train[np.isin(groups[train], kept) & ~left_out[train]]
            sizes.append(len(train))
            reader = fit_duty_reader(inputs[train], labels[train])
            predicted[test] = np.asarray(DUTY_LABELS)[reader.predict_proba(list(inputs[test])).argmax(axis=1)]
        print(_row(f"{share:.2f} (trained on {np.mean(sizes):.0f})", len(labels), labels, predicted))
        if apart.any():
            for name, mask in (("  units of --batches", apart), ("  the other units", ~apart)):
                print(_row(name, int(mask.sum()), labels[mask], predicted[mask]))


if __name__ == "__main__":
    main()
