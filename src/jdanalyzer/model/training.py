"""Train and evaluate the role classifier on labeled postings, against baselines, on the same folds.

Cross-validation is grouped by company (postings of one employer share boilerplate, so a
fold never splits them); postings without a company are their own group.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.metrics import (
    accuracy_score,
    cohen_kappa_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)
from sklearn.model_selection import GroupKFold, StratifiedGroupKFold

from jdanalyzer.errors import ColumnError, InputError
from jdanalyzer.extraction.extract import extract_many
from jdanalyzer.extraction.taxonomy import load_taxonomy
from jdanalyzer.model.card import model_card
from jdanalyzer.model.duties import DUTY_LABELS, unit_input
from jdanalyzer.model.estimator import DEFAULT_PARAMS, SEED, fit_duty_reader, make_role_pipeline
from jdanalyzer.model.export import save_model
from jdanalyzer.model.features import DutyAnnotator
from jdanalyzer.model.report import EvalReport
from jdanalyzer.model.spec import term_starts_of, terms_of
from jdanalyzer.text.normalize import normalize
from jdanalyzer.text.sections import split_units
from jdanalyzer.types import LABELS

__all__ = [
    "EvalReport",
    "company_groups",
    "cross_validate",
    "keyword_rule",
    "label_agreement",
    "learning_curve",
    "load_labeled",
    "score_predictions",
    "slim",
    "train_model",
]

#: Out-of-fold predictions written beside the model by :func:`fit_and_save` (not shipped).
CV_PREDICTIONS = "cv_predictions.csv"
_POSTING_COLUMNS = ("posting_id", "description")
_LABEL_COLUMNS = ("posting_id", "label")


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def company_groups(posting_ids: pd.Series, companies: pd.Series) -> np.ndarray:
    """The cross-validation group of each posting: its company, case and spaces folded, or
    its own id when it names none."""
    company = companies.str.strip().str.lower().to_numpy()
    return np.where(company == "", "id:" + posting_ids.to_numpy(dtype=object), company)


def _read_csv(path: Path, required: tuple[str, ...], what: str) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(f"{what} file {path} does not exist")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        raise InputError(f"cannot read {what} file {path}: {exc}") from None
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ColumnError(
            f"{what} file {path} lacks column(s) {', '.join(missing)}; "
            f"it has: {', '.join(frame.columns)}"
        )
    return frame


def _heldout_path(heldout: Path | None, *beside: Path) -> Path | None:
    """``heldout``, else ``heldout-ids.txt`` beside the first of ``beside`` that has one."""
    if heldout is not None:
        return heldout
    return next((p for p in (Path(b).parent / "heldout-ids.txt" for b in beside) if p.is_file()), None)


def load_labeled(
    postings: Path, labels: Path, *, heldout: Path | None = None, annotate: bool = True,
    extra_labels: Sequence[Path] = (),
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Join postings with their training labels, leaving out held-out postings.

    ``extra_labels``: more label files (posting_id, label), such as the project's blind
    double annotation ``corpora/labels-extra.csv``; where a posting is in several files, the
    first label wins.

    Returns the table (posting_id, source, company, title, text, label, group and, when
    ``annotate``, the taxonomy ``terms``) and a description of the data for the manifest.
    ``heldout`` defaults to ``heldout-ids.txt`` beside the labels file or, failing that,
    beside the postings file.
    """

    posts = _read_csv(Path(postings), _POSTING_COLUMNS, "postings")
    label_files = [Path(labels), *map(Path, extra_labels)]
    tables = [_read_csv(path, _LABEL_COLUMNS, "labels") for path in label_files]
    for path, table in zip(label_files, tables, strict=True):
        bad = sorted(set(table["label"]) - set(LABELS))
        if bad:
            raise InputError(f"labels file {path} has unknown label(s) {bad}; expected {list(LABELS)}")
    labs = pd.concat([t[["posting_id", "label"]] for t in tables], ignore_index=True)
    heldout = _heldout_path(heldout, labels, postings)
    held: set[str] = set()
    if heldout is not None:
        if not Path(heldout).is_file():
            raise InputError(f"held-out ids file {heldout} does not exist")
        held = set(Path(heldout).read_text(encoding="utf-8").split())
    labs = labs[~labs["posting_id"].isin(held)].drop_duplicates("posting_id")
    posts = posts[~posts["posting_id"].isin(held)]
    frame = labs[["posting_id", "label"]].merge(posts, on="posting_id", how="inner")
    if frame.empty:
        raise InputError(f"no posting in {postings} has a label in {labels}")
    for column in ("title", "company", "source"):
        if column not in frame.columns:
            frame[column] = ""
    frame["text"] = [normalize(t) for t in frame["description"]]
    frame["group"] = company_groups(frame["posting_id"], frame["company"])
    if annotate:
        extractions = list(extract_many(frame["text"].tolist()))
        frame["terms"] = [terms_of(e) for e in extractions]
        frame["term_starts"] = [term_starts_of(e) for e in extractions]
    frame = frame.sort_values("posting_id").reset_index(drop=True)
    data = {
        "postings_file": Path(postings).name,
        "postings_sha256": _file_digest(Path(postings)),
        "labels_file": Path(labels).name,
        "labels_sha256": _file_digest(Path(labels)),
        "extra_labels": [
            {"file": path.name, "sha256": _file_digest(path), "n": len(table)}
            for path, table in zip(label_files[1:], tables[1:], strict=True)
        ],
        "heldout_excluded": len(held),
        "n_labeled": len(frame),
        "label_counts": {k: int(v) for k, v in frame["label"].value_counts().sort_index().items()},
    }
    return frame, data


def keyword_rule(terms: pd.Series) -> np.ndarray:
    """Baseline: count distinct AI-engineering and data-science taxonomy terms and compare."""

    taxonomy = load_taxonomy()
    out = []
    for row in terms.astype(str):
        ids = {t.partition(":")[2] for t in row.split()}
        sides = [taxonomy[i].side for i in ids if i in taxonomy]
        ai, ds = sides.count("ai_engineer"), sides.count("data_scientist")
        if ai + ds < 3:
            out.append("other")
        elif min(ai, ds) >= 3 and min(ai, ds) >= 0.5 * max(ai, ds):
            out.append("hybrid")
        else:
            out.append("ai_engineer" if ai > ds else "data_scientist")
    return np.asarray(out)


def _one_hot(pred: np.ndarray, labels: list[str]) -> np.ndarray:
    return (pred[:, None] == np.asarray(labels)[None, :]).astype(float)


def score_predictions(
    y: np.ndarray, pred: np.ndarray, proba: np.ndarray, labels: list[str]
) -> dict[str, Any]:
    """Per-class precision/recall/F1, macro-F1, accuracy, confusion matrix and calibration."""

    p, r, f, s = precision_recall_fscore_support(y, pred, labels=labels, zero_division=0)
    onehot = _one_hot(np.asarray(y), labels)
    top = proba.max(axis=1)
    correct = (np.asarray(labels)[proba.argmax(axis=1)] == y).astype(float)
    bins = np.minimum((top * 10).astype(int), 9)
    reliability, ece = [], 0.0
    for b in range(10):
        mask = bins == b
        if mask.any():
            conf, acc = float(top[mask].mean()), float(correct[mask].mean())
            ece += mask.mean() * abs(conf - acc)
            reliability.append({"bin": f"{b / 10:.1f}-{(b + 1) / 10:.1f}", "n": int(mask.sum()),
                                "confidence": round(conf, 3), "accuracy": round(acc, 3)})
    return {
        "per_class": {
            label: {"precision": round(float(p[i]), 3), "recall": round(float(r[i]), 3),
                    "f1": round(float(f[i]), 3), "support": int(s[i])}
            for i, label in enumerate(labels)
        },
        "macro_f1": round(float(f1_score(y, pred, labels=labels, average="macro", zero_division=0)), 3),
        "accuracy": round(float(accuracy_score(y, pred)), 3),
        "confusion": confusion_matrix(y, pred, labels=labels).tolist(),
        "brier": round(float(np.mean(np.sum((proba - onehot) ** 2, axis=1))), 3),
        "ece": round(float(ece), 3),
        "reliability": reliability,
    }


def _folds(frame: pd.DataFrame, n_splits: int, seed: int = SEED) -> list[tuple[np.ndarray, np.ndarray]]:
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return list(splitter.split(frame, frame["label"], frame["group"]))


#: Trains a duty reader on the labeled sentences of every posting but the given ones.
FoldReader = Callable[[set[str]], Any]


def _with_fold_reader(
    frame: pd.DataFrame, test: np.ndarray, fold_reader: FoldReader
) -> tuple[pd.DataFrame, Any]:
    """The table read by a duty reader that saw no sentence of the ``test`` postings, and the
    pipeline factory that goes with it: cross-validation leaks nothing through the reader."""

    reader = fold_reader(set(frame["posting_id"].iloc[test]))
    part = DutyAnnotator(reader).transform(frame.drop(columns=["duty_text", "duty_profile"], errors="ignore"))
    return part, lambda: make_role_pipeline(duties=reader)


def _fit_fold(frame: pd.DataFrame, train: np.ndarray, make: Callable[[], Any]) -> Any:
    """Fit a fresh pipeline on the ``train`` rows, calibrating on inner folds grouped by company."""

    pipe = make()
    if "classify" in pipe.named_steps and hasattr(pipe.named_steps["classify"], "cv"):
        inner = GroupKFold(n_splits=5).split(train, groups=frame["group"].iloc[train])
        pipe.set_params(classify__cv=list(inner))
    pipe.fit(frame.iloc[train], frame["label"].to_numpy()[train])
    return pipe


def _predict_fold(pipe: Any, frame: pd.DataFrame, test: np.ndarray, labels: list[str]) -> np.ndarray:
    """Probabilities for the ``test`` rows, columns in the order of ``labels``."""
    proba = pipe.predict_proba(frame.iloc[test])
    return proba[:, [list(pipe.classes_).index(label) for label in labels]]


def _macro_f1(y: Any, pred: Any, labels: list[str]) -> float:
    return round(float(f1_score(y, pred, labels=labels, average="macro", zero_division=0)), 3)


def cross_validate(
    frame: pd.DataFrame,
    *,
    n_splits: int = 5,
    model_factory: Callable[[], Any] | None = None,
    baselines: bool = True,
    seed: int = SEED,
    fold_reader: FoldReader | None = None,
    progress: Callable[[str], None] | None = None,
) -> EvalReport:
    """Out-of-fold predictions of the model (and baselines) with folds grouped by company.

    ``seed`` shuffles the folds: :func:`seed_spread` repeats this over several seeds."""
    labels: list[str] = list(LABELS)
    y = frame["label"].to_numpy()
    folds = _folds(frame, n_splits, seed)
    factory = model_factory or make_role_pipeline
    candidates: dict[str, Callable[[], Any]] = {"model": factory}
    if baselines:
        candidates["tfidf_only"] = lambda: make_role_pipeline(use_title=False, use_taxonomy=False)
    report = EvalReport(labels=labels, n_splits=n_splits)
    oof = pd.DataFrame({"posting_id": frame["posting_id"], "source": frame["source"], "label": y})
    for name, make in candidates.items():
        proba = np.zeros((len(frame), len(labels)))
        for k, (train, test) in enumerate(folds, start=1):
            if progress:
                progress(f"{name}: fold {k}/{n_splits}")
            if name == "model" and fold_reader is not None:
                part, make_part = _with_fold_reader(frame, test, fold_reader)
                proba[test] = _predict_fold(_fit_fold(part, train, make_part), part, test, labels)
            else:
                proba[test] = _predict_fold(_fit_fold(frame, train, make), frame, test, labels)
            if name == "model":
                fold_pred = np.asarray(labels)[proba[test].argmax(axis=1)]
                report.fold_macro_f1.append(_macro_f1(y[test], fold_pred, labels))
        pred = np.asarray(labels)[proba.argmax(axis=1)]
        report.results[name] = score_predictions(y, pred, proba, labels)
        oof[f"pred_{name}"] = pred
        if name == "model":
            for j, label in enumerate(labels):
                oof[f"p_{label}"] = proba[:, j]
    if baselines:
        majority = pd.Series(y).value_counts().idxmax()
        for name, pred in (
            ("majority", np.full(len(y), majority)),
            ("keyword_rule", keyword_rule(frame["terms"])),
        ):
            report.results[name] = score_predictions(y, pred, _one_hot(pred, labels), labels)
            oof[f"pred_{name}"] = pred
    for source, part in oof.groupby("source"):
        report.per_source[str(source)] = {
            "n": len(part),
            **{name: _macro_f1(part["label"], part[f"pred_{name}"], labels) for name in report.results},
        }
    report.oof = oof
    return report


def seed_spread(
    frame: pd.DataFrame,
    *,
    seeds: Sequence[int] = (0, 1, 2),
    n_splits: int = 5,
    model_factory: Callable[[], Any] | None = None,
    first: EvalReport | None = None,
    fold_reader: FoldReader | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Macro-F1 and per-class F1 of the model and of TF-IDF alone, as the mean and the
    spread (standard deviation) over fold seeds: one seed's folds are one draw.

    ``first``: the report of :func:`cross_validate` for ``seeds[0]``, reused.
    """
    runs: dict[str, list[dict[str, float]]] = {"model": [], "tfidf_only": []}
    for seed in seeds:
        if first is not None and seed == seeds[0]:
            report = first
        else:
            if progress:
                progress(f"fold seed {seed}")
            report = cross_validate(frame, n_splits=n_splits, model_factory=model_factory, seed=seed,
                                    fold_reader=fold_reader)
        for name in runs:
            result = report.results[name]
            runs[name].append({"macro_f1": result["macro_f1"],
                               **{label: v["f1"] for label, v in result["per_class"].items()}})
    out: dict[str, Any] = {"seeds": list(seeds)}
    for name, rows in runs.items():
        table = pd.DataFrame(rows)
        out[name] = {column: {"mean": round(float(table[column].mean()), 3),
                              "std": round(float(table[column].std(ddof=0)), 3)}
                     for column in table.columns}
    return out


def learning_curve(
    frame: pd.DataFrame,
    *,
    fractions: tuple[float, ...] = (0.25, 0.5, 0.75, 1.0),
    n_splits: int = 5,
    model_factory: Callable[[], Any] | None = None,
    fold_reader: FoldReader | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[dict[str, float]]:
    """Out-of-fold macro-F1 of the model when each training fold keeps only a fraction of
    its companies (seeded), on the same test folds as :func:`cross_validate`.

    Whether the curve still rises at 1.0 tells whether more labels of the same kind would help.
    """
    labels: list[str] = list(LABELS)
    y = frame["label"].to_numpy()
    folds = _folds(frame, n_splits)
    rows = []
    for fraction in fractions:
        rng = np.random.default_rng(SEED)
        pred = np.empty(len(frame), dtype=object)
        sizes = []
        for k, (train, test) in enumerate(folds, start=1):
            if progress:
                progress(f"learning curve {fraction:.0%}: fold {k}/{n_splits}")
            companies = frame["group"].iloc[train].unique()
            kept = rng.permutation(companies)[: max(5, round(fraction * len(companies)))]
            subset = train[frame["group"].iloc[train].isin(set(kept)).to_numpy()]
            sizes.append(len(subset))
            part, make = frame, model_factory or make_role_pipeline
            if fold_reader is not None:
                part, make = _with_fold_reader(frame, test, fold_reader)
            proba = _predict_fold(_fit_fold(part, subset, make), part, test, labels)
            pred[test] = np.asarray(labels)[proba.argmax(axis=1)]
        rows.append({"fraction": fraction, "labels": round(float(np.mean(sizes))),
                     "macro_f1": _macro_f1(y, pred, labels)})
    return rows


def label_agreement(second: Path, frame: pd.DataFrame, oof: pd.DataFrame | None = None) -> dict[str, Any]:
    """How often a second, blind annotation (``posting_id,label``) of some training postings
    agrees with their training labels: the ceiling a model of these labels can expect.

    With the out-of-fold predictions ``oof`` of :func:`cross_validate`, also how often the
    model agrees with each annotation on the same postings.
    """

    other = _read_csv(Path(second), ("posting_id", "label"), "second annotation")
    unknown = sorted(set(other["label"]) - set(LABELS))
    if unknown:
        raise InputError(f"{second}: unknown labels {unknown}; use {', '.join(LABELS)}")
    second_labels = other[["posting_id", "label"]].drop_duplicates("posting_id")
    both = frame[["posting_id", "label"]].merge(second_labels, on="posting_id", suffixes=("", "_second"))
    if both.empty:
        raise InputError(f"{second}: none of its postings has a training label")
    first, again = both["label"].to_numpy(), both["label_second"].to_numpy()
    result: dict[str, Any] = {
        "n": len(both),
        "agreement": round(float(np.mean(first == again)), 3),
        "kappa": round(float(cohen_kappa_score(first, again, labels=list(LABELS))), 3),
        "per_label": {
            label: {"n": int((first == label).sum()),
                    "agreement": round(float(np.mean(again[first == label] == label)), 3)}
            for label in LABELS if (first == label).any()
        },
    }
    if oof is not None:
        predicted = oof.set_index("posting_id").loc[both["posting_id"], "pred_model"].to_numpy()
        result["model_vs_training"] = round(float(np.mean(predicted == first)), 3)
        result["model_vs_second"] = round(float(np.mean(predicted == again)), 3)
    return result


def load_sentences(postings: Path, sentence_labels: Path, *, heldout: Path | None = None) -> pd.DataFrame:
    """The labeled duty sentences (``unit_id, label``) with the text the duty reader reads
    (``input``), cut from the normalized postings, and the posting's ``posting_id`` and
    cross-validation ``group`` (:func:`company_groups`). Held-out postings are refused.

    A unit id holds character offsets into the normalized text of its day; ``text_sha1``
    (the SHA-1 of the unit's whitespace-collapsed text, first 12 hex digits) finds the
    sentence again when normalizing has since moved it. Units whose text itself changed
    are left out (``attrs["moved"]`` and ``attrs["lost"]`` count them).
    """

    table = _read_csv(Path(sentence_labels), ("unit_id", "label", "section"), "sentence labels")
    bad = sorted(set(table["label"]) - set(DUTY_LABELS))
    if bad:
        raise InputError(f"{sentence_labels} has unknown label(s) {bad}; expected {list(DUTY_LABELS)}")
    parts = table["unit_id"].str.extract(r"^(?P<posting_id>[^:]+):(?P<start>\d+)-(?P<end>\d+)$")
    if parts.isna().any(axis=None):
        raise InputError(f"{sentence_labels}: unit ids must read posting_id:start-end")
    held = set(Path(heldout).read_text(encoding="utf-8").split()) if heldout else set()
    if held & set(parts["posting_id"]):
        raise InputError(f"{sentence_labels} holds sentences of held-out postings; remove them")
    posts = _read_csv(Path(postings), _POSTING_COLUMNS, "postings").set_index("posting_id")
    missing = sorted(set(parts["posting_id"]) - set(posts.index))
    if missing:
        raise InputError(f"{sentence_labels}: {len(missing)} posting(s) not in {postings}, e.g. {missing[0]}")
    texts = {pid: normalize(posts.at[pid, "description"]) for pid in parts["posting_id"].unique()}
    digests = table["text_sha1"] if "text_sha1" in table.columns else pd.Series([""] * len(table))

    def sha(value: str) -> str:
        return hashlib.sha1(" ".join(value.split()).encode("utf-8")).hexdigest()[:12]

    inputs: list[str | None] = []
    moved = lost = 0
    for pid, a, b, section, digest in zip(parts["posting_id"], parts["start"], parts["end"],
                                          table["section"], digests, strict=True):
        text = texts[pid]
        unit = text[int(a):int(b)]
        if digest and sha(unit) != digest:
            found = next((u for u in split_units(text) if sha(text[u.start:u.end]) == digest), None)
            if found is None:
                lost += 1
                inputs.append(None)
                continue
            moved += 1
            unit = text[found.start:found.end]
        inputs.append(unit_input(unit, section))
    table["posting_id"] = parts["posting_id"]
    companies = posts["company"] if "company" in posts.columns else pd.Series("", index=posts.index)
    table["group"] = company_groups(table["posting_id"], table["posting_id"].map(companies))
    table["input"] = inputs
    table = table[table["input"].notna()].reset_index(drop=True)
    table.attrs.update(moved=moved, lost=lost)
    return table


def train_model(frame: pd.DataFrame, **params: Any) -> Any:
    """Fit the pipeline on every labeled posting (calibration folds grouped by company)."""

    pipe = make_role_pipeline(**{**DEFAULT_PARAMS, **params})
    inner = list(GroupKFold(n_splits=5).split(frame, groups=frame["group"]))
    pipe.set_params(classify__cv=inner)
    pipe.fit(frame, frame["label"].to_numpy())
    return slim(pipe)


def slim(pipeline: Any) -> Any:
    """Make the fitted pipeline lean for prediction, with the same probabilities.

    - TfidfVectorizer's ``stop_words_`` (every pruned n-gram) is dropped: it is most of a
      pickled model and prediction never reads it.
    - Temperature scaling divides the logits by one number, so it is folded into the
      logistic regression's coefficients: the calibrated model is then one plain linear
      model (faster to load, and evidence weights are calibrated log-odds).
    """


    for _, transformer, _ in pipeline.named_steps["features"].transformers_:
        if hasattr(transformer, "stop_words_"):
            del transformer.stop_words_
    calibrated = pipeline.named_steps["classify"]
    if isinstance(calibrated, CalibratedClassifierCV) and calibrated.method == "temperature":
        (fitted,) = calibrated.calibrated_classifiers_
        beta = float(fitted.calibrators[0].beta_)
        model = copy.deepcopy(fitted.estimator)
        model.coef_ = model.coef_ * beta
        model.intercept_ = model.intercept_ * beta
        model.classes_ = calibrated.classes_  # the inner model saw label-encoded targets
        pipeline.steps[-1] = ("classify", model)
    return pipeline


def fit_and_save(
    postings: Path,
    labels: Path,
    out_dir: Path,
    *,
    heldout: Path | None = None,
    n_splits: int = 5,
    curve: tuple[float, ...] = (0.25, 0.5, 0.75),
    second_annotation: Path | None = None,
    extra_labels: Sequence[Path] = (),
    sentence_labels: Path | None = None,
    seeds: Sequence[int] = (0, 1, 2),
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Evaluate by cross-validation, fit on all labels, save model + manifest + model card.

    ``curve``: the fractions of each training fold's companies for the learning curve in
    the model card (the full-data point is the cross-validation itself); ``()`` skips it.
    ``second_annotation``: a blind relabeling of some training postings, for the label
    agreement in the model card (:func:`label_agreement`).
    ``sentence_labels``: labeled duty sentences; the model then reads duties
    (:mod:`jdanalyzer.model.duties`).
    ``seeds``: fold seeds for the mean and spread of the figures (:func:`seed_spread`).
    """

    if progress:
        progress("reading and matching postings")
    frame, data = load_labeled(Path(postings), Path(labels), heldout=heldout, extra_labels=extra_labels)
    reader = None
    if sentence_labels is not None:
        if progress:
            progress("training the duty reader")
        sentences = load_sentences(Path(postings), Path(sentence_labels),
                                   heldout=_heldout_path(heldout, labels, postings))
        reader = fit_duty_reader(sentences["input"], sentences["label"])

        def fold_reader(exclude: set[str]) -> Any:
            keep = ~sentences["posting_id"].isin(exclude)
            return fit_duty_reader(sentences["input"][keep], sentences["label"][keep])
        data["sentence_labels"] = {
            "file": Path(sentence_labels).name, "sha256": _file_digest(Path(sentence_labels)),
            "n": len(sentences), "moved": sentences.attrs["moved"], "lost": sentences.attrs["lost"],
            "label_counts": {k: int(v) for k, v in sentences["label"].value_counts().sort_index().items()},
        }

    def factory() -> Any:
        return make_role_pipeline(duties=reader)

    folds_read = fold_reader if reader is not None else None
    report = cross_validate(frame, n_splits=n_splits, model_factory=factory, seed=seeds[0],
                            fold_reader=folds_read, progress=progress)
    report.seed_spread = seed_spread(frame, seeds=seeds, n_splits=n_splits, model_factory=factory,
                                     first=report, fold_reader=folds_read, progress=progress)
    if second_annotation is not None:
        report.agreement = label_agreement(Path(second_annotation), frame, report.oof)
    if curve:
        report.learning_curve = learning_curve(frame, fractions=curve, n_splits=n_splits,
                                               model_factory=factory, fold_reader=folds_read,
                                               progress=progress)
        report.learning_curve.append({
            "fraction": 1.0, "labels": round(len(frame) * (n_splits - 1) / n_splits),
            "macro_f1": report.results["model"]["macro_f1"],
        })
    if progress:
        progress("fitting the final model on all labeled postings")
    if reader is not None:
        frame = DutyAnnotator(reader).transform(frame)
    pipeline = train_model(frame, duties=reader)
    manifest: dict[str, Any] = {
        "labels": [str(c) for c in pipeline.classes_],
        "label_counts": data["label_counts"],
        "training_data": data,
        "params": DEFAULT_PARAMS,
        "metrics": {name: {k: res[k] for k in ("macro_f1", "accuracy", "brier", "ece")}
                    for name, res in report.results.items()},
        "per_source_macro_f1": report.per_source,
        "fold_macro_f1": report.fold_macro_f1,
        "learning_curve": report.learning_curve,
        "seed_spread": report.seed_spread,
        "label_agreement": report.agreement,
    }
    path = save_model(pipeline, Path(out_dir), manifest=manifest)
    if report.oof is not None:  # ids, labels and out-of-fold predictions: no posting text
        report.oof.to_csv(Path(out_dir) / CV_PREDICTIONS, index=False, float_format="%.4f")
    full = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    review = Path(out_dir) / "ERROR_REVIEW.md"
    (Path(out_dir) / "MODEL_CARD.md").write_text(
        model_card(report, full, review=review.read_text(encoding="utf-8") if review.is_file() else ""),
        encoding="utf-8",
    )
    return path
