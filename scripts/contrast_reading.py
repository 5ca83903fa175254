"""How well the duty reader's sentence model reads the contrast sentences (batches 12-13 of
``corpora/sentence-labels.csv``: AI words in non-AI duties, AI tools used or advocated, a
company's AI, "tuning" of systems), trained with and without them.

5-fold cross-validation grouped by company, each repeated sentence text kept once (job ads
repeat boilerplate across postings of a company), so no copy of a test sentence is trained on.

    python scripts/contrast_reading.py [--corpus ../shared/corpora]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold

from jdanalyzer.model.duties import DUTY_LABELS
from jdanalyzer.model.estimator import fit_duty_reader
from jdanalyzer.model.training import load_sentences

REPO = Path(__file__).resolve().parents[1]
CONTRAST_BATCHES = ("batch12", "batch13")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpora")
    args = parser.parse_args()
    labels = REPO / "corpora" / "sentence-labels.csv"
    units = load_sentences(args.corpus / "postings.csv.gz", labels, heldout=args.corpus / "heldout-ids.txt")
    table = pd.read_csv(labels, dtype=str)
    contrast = set(table[table["batch"].isin(CONTRAST_BATCHES)]["unit_id"])
    units = units.assign(contrast=units["unit_id"].isin(contrast))
    units = units.drop_duplicates("input").reset_index(drop=True)
    x, y = units["input"].to_numpy(), units["label"].to_numpy()
    groups, is_contrast = units["group"].to_numpy(), units["contrast"].to_numpy()
    print(f"{len(units)} labeled sentences with distinct texts, {is_contrast.sum()} of them contrasts")
    for use in (False, True):
        predicted = np.empty(len(y), dtype=object)
        for train, test in GroupKFold(5).split(x, y, groups):
            if not use:
                train = train[~is_contrast[train]]
            reader = fit_duty_reader(x[train], y[train])
            predicted[test] = np.array(DUTY_LABELS)[reader.predict_proba(list(x[test])).argmax(axis=1)]
        for name, mask in (("contrast sentences", is_contrast), ("other sentences", ~is_contrast)):
            print(f"trained {'with' if use else 'without'} the contrasts: {name} read right "
                  f"{(predicted[mask] == y[mask]).mean():.1%} of {mask.sum()}")


if __name__ == "__main__":
    main()
