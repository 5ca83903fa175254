"""Draw the model's remaining errors to read: 20 out-of-fold mistakes, spread over the confusions.

    python scripts/error_review.py                 # the table, for models/ERROR_REVIEW.md
    python scripts/error_review.py --show 3        # also print error 3's posting, to read it

Reads ``models/cv_predictions.csv`` (out-of-fold predictions of the training postings, never
held-out ones) and the label files' rationales. The reading itself is written by hand in
``models/ERROR_REVIEW.md``, which the model card includes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpora"
SEED = 20261202


def errors(n: int = 20) -> pd.DataFrame:
    oof = pd.read_csv(REPO / "models" / "cv_predictions.csv", dtype={"posting_id": str})
    wrong = oof[oof["label"] != oof["pred_model"]].copy()
    rationales = pd.concat([
        pd.read_csv(CORPUS / "labels-train.csv", dtype=str),
        pd.read_csv(REPO / "corpora" / "labels-extra.csv", dtype=str),
    ]).drop_duplicates("posting_id").set_index("posting_id")["rationale"]
    wrong["rationale"] = wrong["posting_id"].map(rationales).fillna("")
    wrong["pair"] = wrong["label"] + " -> " + wrong["pred_model"]
    # Spread over the confusions in proportion to how common each is, at least one each.
    share = wrong["pair"].value_counts(normalize=True)
    quota = (share * n).round().clip(lower=1).astype(int)
    picked = pd.concat(
        group.sample(min(len(group), quota[pair]), random_state=SEED)
        for pair, group in wrong.groupby("pair")
    )
    return picked.sort_values(["pair", "posting_id"]).head(n).reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--show", type=int, help="print the normalized text of error N (1-based)")
    args = parser.parse_args()
    table = errors()
    print("| # | posting | source | label | predicted | p(label) | p(predicted) |")
    print("|---|---|---|---|---|---|---|")
    for i, row in table.iterrows():
        print(f"| {i + 1} | `{row.posting_id}` | {row.source} | {row.label} | {row.pred_model} "
              f"| {row[f'p_{row.label}']:.2f} | {row[f'p_{row.pred_model}']:.2f} |")
    if args.show:
        from jdanalyzer.model.predict import load_model
        from jdanalyzer.text.normalize import normalize

        row = table.iloc[args.show - 1]
        postings = pd.read_csv(CORPUS / "postings.csv.gz", dtype=str, keep_default_na=False)
        posting = postings.set_index("posting_id").loc[row.posting_id]
        print(f"\n{row.posting_id}: {posting.title} | label {row.label} ({row.rationale})")
        prediction = load_model().classify(posting.description, posting.title)
        print("duty evidence:", [(e.label, e.term) for e in prediction.evidence if e.source == "duty"][:6])
        print(normalize(posting.description)[:6000])


if __name__ == "__main__":
    main()
