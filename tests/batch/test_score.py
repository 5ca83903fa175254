"""Batch scoring: one output row per input row, in order, whatever the input throws at it."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from jdanalyzer.batch import score as score_module
from jdanalyzer.batch.score import GENERATED, ScoreProgress, score_file, score_frame
from jdanalyzer.cli.main import app
from jdanalyzer.errors import ColumnError, InputError

runner = CliRunner()


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def write_csv(path: Path, rows: list[list[str]], header=("posting_id", "title", "description")):
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([list(header), *rows])
    return path


@pytest.fixture
def samples_csv(tmp_path: Path, samples: dict[str, str]) -> Path:
    rows = [[name, name.replace("_", " ").title(), text] for name, text in samples.items()]
    return write_csv(tmp_path / "postings.csv", rows)


def test_score_frame_labels_samples_and_flags_bad_cells(samples: dict[str, str]) -> None:
    frame = pd.DataFrame(
        {
            "description": [samples["ai_engineer"], "", None, 42, samples["data_scientist"]],
            "label": ["keep", "me", "as", "input", "label"],
        }
    )
    out = score_frame(frame, text_column="description")
    assert list(out.columns) == ["description", "input_label", *GENERATED]
    assert out["input_label"].tolist() == ["keep", "me", "as", "input", "label"]
    assert out.loc[0, "label"] == "ai_engineer"
    assert out.loc[4, "label"] == "data_scientist"
    assert out.loc[[1, 2, 3], "label"].isna().all()
    assert out["error"].tolist()[1:4] == [
        "the description cell is empty; not scored",
        "the description cell is missing; not scored",
        "the description cell is int, not text; not scored",
    ]
    assert out.loc[0, "error"] == ""
    probs = out.loc[0, [c for c in GENERATED if c.startswith("p_")]]
    assert probs.sum() == pytest.approx(1.0, abs=1e-3)
    assert out.loc[0, "confidence"] == probs.max()
    assert "retrieval-augmented generation" in out.loc[0, "ai_skills"]  # a list of names
    assert out.loc[[1, 2, 3], "ai_skills"].isna().all()  # not scored: no list at all
    assert out.loc[4, "ds_skills"]
    assert out.loc[0, "evidence"]


def test_evidence_spans_go_with_the_evidence_item_by_item(samples: dict[str, str]) -> None:
    """Each evidence item of ``score`` carries where it is: the duty sentences first, each
    with the span of its sentence in the normalized text."""
    from jdanalyzer import normalize

    text = samples["hybrid"]
    out = score_frame(pd.DataFrame({"description": [text]}), text_column="description")
    evidence, spans = out.loc[0, "evidence"], out.loc[0, "evidence_spans"]
    assert len(evidence) == len(spans) > 3
    normalized = normalize(text)
    first_start, first_end = map(int, spans[0].split(",")[0].split("-"))
    sentence = " ".join(normalized[first_start:first_end].split())
    assert evidence[0].rstrip("…").strip() in sentence  # a duty sentence, cut for display
    for term, where in zip(evidence, spans, strict=True):
        for span in filter(None, where.split(",")):
            start, end = map(int, span.split("-"))
            assert 0 <= start < end <= len(normalized), (term, span)


def test_long_cell_is_scored_on_a_prefix_and_flagged(samples: dict[str, str]) -> None:
    text = (samples["ai_engineer"] + "\n") * (150_000 // len(samples["ai_engineer"]) + 1)
    assert len(text) > 150_000
    out = score_frame(pd.DataFrame({"text": [text]}), text_column="text")
    assert out.loc[0, "label"] == "ai_engineer"
    assert re.fullmatch(r"warning: the posting was cut to its first 100,?000 characters",
                        out.loc[0, "error"])


def test_score_file_messy_csv_one_row_per_input_row(tmp_path: Path, samples: dict[str, str]):
    path = tmp_path / "messy.csv"
    write_csv(path, [["a", "AI Engineer", samples["ai_engineer"]]])
    with path.open("ab") as handle:
        handle.write(b'b,"bad"quote,text\n')
        handle.write(b"c,too,many,fields\n")
        handle.write(b"d,empty,\n")
        long_enough = b"We fine-tune LLMs and build RAG pipelines with LangChain. " * 4  # >= MIN_WORDS
        handle.write(b"e,caf\xe9," + long_enough + b"\n")
        handle.write(b'f,open,"never closed\n')
        tail = io.StringIO()
        csv.writer(tail).writerow(["g", "DS", samples["data_scientist"]])
        handle.write(tail.getvalue().encode())
    summary = score_file(path, tmp_path / "out.csv", jobs=1, chunk_size=3)
    out = read_csv(tmp_path / "out.csv")
    assert len(out) == summary.rows == 7
    assert out["posting_id"].tolist() == ["a", "", "", "d", "e", "", "g"]
    assert out["label"].tolist()[0] == "ai_engineer"
    assert out["label"].tolist()[-1] == "data_scientist"
    assert [bool(label) for label in out["label"]] == [True, False, False, False, True, False, True]
    line = 3 + samples["ai_engineer"].count("\n")  # after the header and the multi-line cell
    assert out["error"].tolist()[1].startswith(f"line {line}: malformed CSV")
    assert out["error"].tolist()[2].startswith(f"line {line + 1}: expected 3 fields, found 4")
    assert out["error"].tolist()[4].startswith(f"warning: line {line + 3} not valid UTF-8")
    assert out["error"].tolist()[5].startswith(f"line {line + 4}: malformed CSV")
    assert (summary.scored, summary.malformed, summary.not_utf8) == (3, 3, 1)
    assert summary.unaccounted_lines == 0
    assert summary.lines == path.read_bytes().count(b"\n")
    assert "input: " in summary.report() and "UNACCOUNTED" not in summary.report()
    assert not list(tmp_path.glob("out.csv.*"))  # no parts folder or temp file left


def test_generated_text_is_neutralized_in_csv_only(
    tmp_path: Path, samples_csv: Path, samples: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = score_module._columns_of
    monkeypatch.setattr(
        score_module, "_columns_of", lambda p: {**real(p), "evidence": "=HYPERLINK(\"x\")"}
    )
    write_csv(samples_csv, [["=1+1", "@title", "-" + samples["ai_engineer"]]])
    score_file(samples_csv, tmp_path / "out.csv", jobs=1, force=True)
    score_file(samples_csv, tmp_path / "out.jsonl", jobs=1)
    out = read_csv(tmp_path / "out.csv")
    assert out.loc[0, "evidence"] == "'=HYPERLINK(\"x\")"
    assert out.loc[0, "posting_id"] == "=1+1"  # input cells are kept as they are
    assert out.loc[0, "description"].startswith("-Senior")
    record = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    assert record["evidence"] == "=HYPERLINK(\"x\")"


def test_formats_round_trip(tmp_path: Path, samples_csv: Path) -> None:
    score_file(samples_csv, tmp_path / "a.parquet", jobs=1)
    score_file(tmp_path / "a.parquet", tmp_path / "b.jsonl", jobs=1, text_column="description")
    score_file(tmp_path / "b.jsonl", tmp_path / "c.csv.gz", jobs=1, text_column="description")
    a = pd.read_parquet(tmp_path / "a.parquet")
    b = pd.read_json(tmp_path / "b.jsonl", lines=True, dtype=False)
    c = pd.read_csv(tmp_path / "c.csv.gz", dtype=str, keep_default_na=False)
    assert a["label"].tolist()[:2] == ["ai_engineer", "data_scientist"]
    # each pass keeps the earlier columns (renamed input_*) and adds its own
    assert b["input_label"].tolist() == a["label"].tolist() == b["label"].tolist()
    assert c["label"].tolist() == a["label"].tolist()
    assert c["input_input_label"].tolist() == c["label"].tolist()


def test_existing_output_needs_force(tmp_path: Path, samples_csv: Path) -> None:
    out = tmp_path / "out.csv"
    out.write_text("precious\n", encoding="utf-8")
    result = runner.invoke(app, ["score", str(samples_csv), "-o", str(out), "-j", "1"])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {out} exists; pass --force to overwrite it"
    assert out.read_text(encoding="utf-8") == "precious\n"
    result = runner.invoke(app, ["score", str(samples_csv), "-o", str(out), "-j", "1", "--force"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Scored 4 of 4 rows in ")
    assert len(read_csv(out)) == 4


def test_resume_after_interruption(tmp_path: Path, samples: dict[str, str]) -> None:
    rows = [[f"{name}-{i}", "", text] for i in range(3) for name, text in samples.items()]
    source = write_csv(tmp_path / "in.csv", rows)
    out = tmp_path / "out.csv"

    def stop_after_two_chunks(done: ScoreProgress) -> None:
        if done.rows >= 10:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        score_file(source, out, jobs=1, chunk_size=5, progress=stop_after_two_chunks)
    assert not out.exists()
    progress = json.loads((tmp_path / "out.csv.parts" / "progress.json").read_text())
    assert progress["chunks"] == 2 and progress["tally"]["rows"] == 10

    result = runner.invoke(app, ["score", str(source), "-o", str(out), "-j", "1"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"Error: {out}.parts holds an interrupted run; pass --resume to continue it "
        "or --force to start over"
    )
    result = runner.invoke(
        app, ["score", str(source), "-o", str(out), "-j", "1", "--chunk-size", "4", "--resume"]
    )
    assert result.exit_code == 2
    assert "was started with another chunk_size" in result.stderr

    seen: list[int] = []
    summary = score_file(source, out, jobs=1, chunk_size=5, resume=True,
                         progress=lambda done: seen.append(done.rows))
    assert seen == [12]  # only the last chunk was scored again
    assert summary.rows == 12 and summary.resumed_rows == 10
    resumed = read_csv(out)
    fresh = tmp_path / "fresh.csv"
    score_file(source, fresh, jobs=1, chunk_size=5)
    pd.testing.assert_frame_equal(resumed, read_csv(fresh))
    assert resumed["posting_id"].tolist() == [r[0] for r in rows]


def test_stdin_jsonl(samples: dict[str, str], tmp_path: Path) -> None:
    lines = [json.dumps({"id": 1, "body": samples["ai_engineer"]}),
             json.dumps({"id": 2, "body": ""})]
    result = runner.invoke(app, ["score", "-", "-o", "out.jsonl", "-j", "1"],
                           input="\n".join(lines).encode())
    assert result.exit_code == 0, result.output
    records = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["id"] for r in records] == [1, 2]
    assert records[0]["label"] == "ai_engineer"
    assert records[1]["label"] is None
    assert records[1]["error"] == "the body cell is empty; not scored"


def test_stdin_csv(samples_csv: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["score", "-", "-o", "out.csv", "-j", "1"],
                           input=samples_csv.read_bytes())
    assert result.exit_code == 0, result.output
    assert read_csv(tmp_path / "out.csv")["label"].tolist()[:2] == ["ai_engineer", "data_scientist"]


@pytest.mark.parametrize(
    ("args", "code", "error"),
    [
        (["missing.csv", "-o", "out.csv"], 2, "Error: no such file: missing.csv"),
        (["in.csv", "-o", "out.xlsx"], 2,
         "Error: cannot tell the format of output out.xlsx from its name; use a .csv, .csv.gz, "
         ".jsonl or .parquet file or give the format (csv, jsonl, parquet)"),
        (["in.csv", "-o", "out.csv", "--text-column", "desc"], 2,
         "Error: no column 'desc' for the text; the table has: id, company"),
        (["in.csv", "-o", "out.csv"], 2,
         "Error: no text column found (tried description, job_description, jobdescription, "
         "text, body, content, ad_text, posting, job_text, details); the table has: id, company; "
         "choose one with --text-column"),
        (["in.csv", "-o", "out.csv", "--engine", "dask", "--resume"], 2,
         "Error: --resume works with --engine local; a Dask run is restarted whole"),
    ],
)
def test_cli_errors(tmp_path: Path, args: list[str], code: int, error: str) -> None:
    write_csv(tmp_path / "in.csv", [["1", "Acme"]], header=("id", "company"))
    result = runner.invoke(app, ["score", *args])
    assert result.exit_code == code
    assert result.stderr.strip() == error
    assert not (tmp_path / "out.csv").exists()


def test_library_errors(tmp_path: Path) -> None:
    write_csv(tmp_path / "in.csv", [["1", "Acme"]], header=("id", "company"))
    with pytest.raises(ColumnError):
        score_file(tmp_path / "in.csv", tmp_path / "out.csv")
    with pytest.raises(InputError, match="unknown engine 'spark'; choose one of local, dask"):
        score_file(tmp_path / "in.csv", tmp_path / "out.csv", engine="spark")


def test_help() -> None:
    result = runner.invoke(app, ["score", "--help"])
    assert result.exit_code == 0
    assert "--resume" in result.stdout and "--engine" in result.stdout


def test_two_jobs_match_one_job(tmp_path: Path, samples: dict[str, str]) -> None:
    rows = [[f"{name}-{i}", "", text] for i in range(2) for name, text in samples.items()]
    source = write_csv(tmp_path / "in.csv", [*rows, ["empty", "", ""]])
    one = score_file(source, tmp_path / "one.csv", jobs=1, chunk_size=2)
    two = score_file(source, tmp_path / "two.csv", jobs=2, chunk_size=2)
    assert (one.rows, two.rows, two.jobs) == (9, 9, 2)
    pd.testing.assert_frame_equal(read_csv(tmp_path / "one.csv"), read_csv(tmp_path / "two.csv"))


# -- every row comes out exactly once -----------------------------------------------------

WORDS = ("Python", "LLM", "RAG", "pipelines", "statistics", "SQL", "dashboards", "deploy",
         "models", "experiments", "we", "build", "and", "with", "agents", "forecasting")
# At least MIN_WORDS words: a shorter text gets no label (tests/batch/test_score_short.py).
GOOD = st.lists(st.sampled_from(WORDS), min_size=30, max_size=40).map(" ".join)
ROW = st.one_of(
    GOOD.map(lambda text: ("good", text.encode())),
    st.just(("bad_quote", b'"bad"quote')),
    st.just(("wrong_fields", b"x,y")),
    st.just(("empty", b"")),
    st.just(("unclosed", b'"never closed')),
    GOOD.map(lambda text: ("latin1", (text + " café").encode("latin-1"))),
)


@pytest.mark.slow
@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, min_size=1, max_size=8))
def test_every_input_row_comes_out_once(tmp_path: Path, rows: list[tuple[str, bytes]]) -> None:
    data = io.BytesIO()
    data.write(b"id,description\n")
    for i, (_, cell) in enumerate(rows):
        data.write(f"{i},".encode() + cell + b"\n")
    source = tmp_path / "in.csv"
    source.write_bytes(data.getvalue())
    summary = score_file(source, tmp_path / "out.csv", jobs=1, chunk_size=3, force=True)
    out = read_csv(tmp_path / "out.csv")
    assert len(out) == summary.rows == len(rows)
    assert summary.unaccounted_lines == 0
    for i, ((kind, _), got) in enumerate(zip(rows, out.itertuples(), strict=True)):
        if kind in ("good", "latin1"):
            assert got.id == str(i) and got.label, got
            assert ("not valid UTF-8" in got.error) == (kind == "latin1")
        else:
            assert got.label == "" and got.error, got
            if kind != "empty":
                assert got.error.startswith(f"line {i + 2}: ")


# -- Dask ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_dask_output_equals_local_output(tmp_path: Path, samples: dict[str, str]) -> None:
    from distributed import LocalCluster

    rows = [[f"{name}-{i}", name, text] for i in range(2) for name, text in samples.items()]
    source = write_csv(tmp_path / "in.csv", [*rows, ["empty", "", ""]])
    with source.open("ab") as handle:
        handle.write(b"bad,row,with,too,many\n")
    local = score_file(source, tmp_path / "local.parquet", jobs=1, chunk_size=3)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        remote = score_file(source, tmp_path / "dask", engine="dask",
                            scheduler=cluster.scheduler_address, chunk_size=3)
    parts = sorted((tmp_path / "dask").glob("*.parquet"))
    assert len(parts) == 4
    got = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    expected = pd.read_parquet(tmp_path / "local.parquet")
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert (remote.rows, remote.scored, remote.labels) == (local.rows, local.scored, local.labels)


def test_one_failing_row_does_not_fail_its_chunk(
    samples: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from jdanalyzer.model.predict import RoleModel

    real = RoleModel.predict_extractions

    def fragile(self, extractions, titles):
        if any("POISON" in e.text for e in extractions):
            raise ValueError("cannot score this one")
        return real(self, extractions, titles)

    monkeypatch.setattr(RoleModel, "predict_extractions", fragile)
    frame = pd.DataFrame({"text": [samples["ai_engineer"], "POISON " * 60, "<p> </p>"]})
    out = score_frame(frame, text_column="text")
    assert out["label"].tolist()[0] == "ai_engineer"
    assert out["error"].tolist()[1:] == [
        "scoring failed (ValueError: cannot score this one); not scored",
        "no text left after removing markup; not scored",
    ]


def test_header_only_input(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", [])
    summary = score_file(source, tmp_path / "out.csv", jobs=1)
    assert summary.rows == 0
    assert read_csv(tmp_path / "out.csv").columns.tolist() == [
        "posting_id", "title", "description", *GENERATED
    ]
