"""``jdanalyzer score`` for analysts' scripts: the columns it read, skill lists as arrays,
a Dask output that is a folder, and how many jobs it runs by default."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from jdanalyzer.batch.score import (
    AUTO_MAX_JOBS,
    AUTO_SMALL_BYTES,
    AUTO_SMALL_ROWS,
    LISTS,
    ScoreColumns,
    ScoreProgress,
    auto_jobs,
    score_file,
)
from jdanalyzer.batch.tables import TableReader
from jdanalyzer.cli.main import app
from jdanalyzer.errors import InputError

runner = CliRunner()


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


@pytest.fixture
def postings(tmp_path: Path, samples: dict[str, str]) -> Path:
    """The four sample postings (ai_engineer first) and a row with an empty description."""
    rows = [[name, name.replace("_", " ").title(), text] for name, text in samples.items()]
    return write_csv(tmp_path / "in.csv", ["posting_id", "job_title", "description"],
                     [*rows, ["blank", "Nothing", ""]])


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# -- the columns read are shown --------------------------------------------------------------


def test_the_guessed_columns_are_printed_before_the_summary(postings: Path) -> None:
    result = runner.invoke(app, ["score", str(postings), "-o", "out.csv", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == (
        "Columns: text=description, title=job_title, id=posting_id (guessed; set them with "
        "--text-column, --title-column, --id-column)"
    )
    assert result.stdout.startswith("Scored 4 of 5 rows")


def test_given_columns_are_told_apart_from_guessed_ones(tmp_path: Path, samples: dict[str, str]) -> None:
    source = write_csv(tmp_path / "in.csv", ["body", "role"], [[samples["ai_engineer"], "x"]])
    result = runner.invoke(app, ["score", str(source), "-o", "out.csv", "-j", "1",
                                 "--text-column", "body"])
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == (
        "Columns: text=body (given); title=role, id=none (guessed; set them with --title-column, "
        "--id-column)"
    )


@pytest.mark.parametrize(
    ("columns", "line"),
    [
        (ScoreColumns("d", "t", "i", frozenset({"text", "title", "id"})),
         "Columns: text=d, title=t, id=i (given)"),
        (ScoreColumns("d", None, None, frozenset({"title"})),
         "Columns: title=none (given); text=d, id=none (guessed; set them with --text-column, "
         "--id-column)"),
        (ScoreColumns("d", "t", None, frozenset({"text", "title"})),
         "Columns: text=d, title=t (given); id=none (guessed; set it with --id-column)"),
    ],
)
def test_describe_columns(columns: ScoreColumns, line: str) -> None:
    assert columns.describe() == line


def test_no_columns_line_when_the_run_fails_before_scoring(postings: Path, tmp_path: Path) -> None:
    (tmp_path / "out.csv").write_text("keep\n", encoding="utf-8")
    result = runner.invoke(app, ["score", str(postings), "-o", "out.csv", "-j", "1"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: out.csv exists; pass --force to overwrite it"


# -- skill lists are arrays in JSONL and Parquet, joined text in CSV ----------------------------


def test_jsonl_holds_json_arrays(postings: Path, tmp_path: Path) -> None:
    score_file(postings, tmp_path / "out.jsonl", jobs=1)
    records = read_jsonl(tmp_path / "out.jsonl")
    first, blank = records[0], records[-1]
    assert first["label"] == "ai_engineer"
    for column in LISTS:
        assert isinstance(first[column], list), column
        assert all(isinstance(name, str) for name in first[column])
    assert "retrieval-augmented generation" in first["ai_skills"]
    assert first["evidence"]
    assert [blank[c] for c in LISTS] == [None] * len(LISTS)  # not scored: no lists at all
    assert blank["error"] == "the description cell is empty; not scored"


def test_parquet_holds_list_columns_and_csv_joined_text(postings: Path, tmp_path: Path) -> None:
    score_file(postings, tmp_path / "out.parquet", jobs=1, chunk_size=2)
    score_file(postings, tmp_path / "out.csv", jobs=1, chunk_size=2)
    schema = pq.read_schema(tmp_path / "out.parquet")
    for column in LISTS:
        assert pa.types.is_list(schema.field(column).type), column
        assert schema.field(column).type.value_type == pa.string()
    table = pq.read_table(tmp_path / "out.parquet").to_pydict()
    text = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    for column in LISTS:
        assert table[column][-1] is None
        assert text[column].tolist() == ["; ".join(v) if v is not None else "" for v in table[column]]
    assert "retrieval-augmented generation" in table["ai_skills"][0]
    assert "; " in text.loc[0, "ai_skills"]


def test_an_empty_parquet_output_still_has_list_columns(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", ["id", "description"], [])
    score_file(source, tmp_path / "out.parquet", jobs=1)
    schema = pq.read_schema(tmp_path / "out.parquet")
    for column in LISTS:
        assert pa.types.is_list(schema.field(column).type), column
        assert schema.field(column).type.value_type == pa.string()


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_resume_gives_the_fresh_output(tmp_path: Path, samples: dict[str, str], suffix: str) -> None:
    rows = [[f"{name}-{i}", text] for i in range(3) for name, text in samples.items()]
    source = write_csv(tmp_path / "in.csv", ["posting_id", "description"], rows)
    out, fresh = tmp_path / f"out{suffix}", tmp_path / f"fresh{suffix}"

    def stop_after_two_chunks(done: ScoreProgress) -> None:
        if done.rows >= 10:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        score_file(source, out, jobs=1, chunk_size=5, progress=stop_after_two_chunks)
    assert not out.exists()
    summary = score_file(source, out, jobs=1, chunk_size=5, resume=True)
    assert (summary.rows, summary.resumed_rows) == (12, 10)
    score_file(source, fresh, jobs=1, chunk_size=5)
    if suffix == ".jsonl":
        resumed = read_jsonl(out)
        assert resumed == read_jsonl(fresh)
    else:
        resumed = pq.read_table(out).to_pylist()
        assert resumed == pq.read_table(fresh).to_pylist()
    assert all(isinstance(r["ai_skills"], list) for r in resumed)
    assert [r["posting_id"] for r in resumed] == [r[0] for r in rows]


def test_resume_refuses_jsonl_parts_of_joined_text(tmp_path: Path, samples: dict[str, str]) -> None:
    """Parts an older version wrote hold "; "-joined text: mixed with arrays they would not load."""
    rows = [[f"{name}-{i}", text] for i in range(3) for name, text in samples.items()]
    source = write_csv(tmp_path / "in.csv", ["posting_id", "description"], rows)
    out = tmp_path / "out.jsonl"

    def stop(done: ScoreProgress) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        score_file(source, out, jobs=1, chunk_size=5, progress=stop)
    progress = out.with_name("out.jsonl.parts") / "progress.json"
    saved = json.loads(progress.read_text(encoding="utf-8"))
    del saved["settings"]["list_cells"]  # as an older version wrote it
    progress.write_text(json.dumps(saved), encoding="utf-8")
    with pytest.raises(InputError, match="was started with another list_cells; pass --force"):
        score_file(source, out, jobs=1, chunk_size=5, resume=True)


# -- --engine dask writes a folder, and says so -------------------------------------------------


@pytest.mark.parametrize(
    ("output", "extra", "error"),
    [
        ("x.csv", [], "part-000000.parquet, ...), not one file; give -o a folder name without a "
         "suffix, e.g. -o x (add --format csv for CSV parts)"),
        ("x.parquet", [], "part-000000.parquet, ...), not one file; give -o a folder name without "
         "a suffix, e.g. -o x (add --format csv for CSV parts)"),
        ("scored.csv.gz", ["--format", "csv"], "part-000000.csv, ...), not one file; give -o a "
         "folder name without a suffix, e.g. -o scored"),
        ("x.jsonl", [], "part-000000.parquet, ...), not one file; give -o a folder name without a "
         "suffix, e.g. -o x (add --format csv for CSV parts)"),
    ],
)
def test_dask_refuses_an_output_named_like_a_file(
    postings: Path, tmp_path: Path, output: str, extra: list[str], error: str
) -> None:
    result = runner.invoke(app, ["score", str(postings), "-o", output, "--engine", "dask", *extra])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: --engine dask writes a folder of part files ({error}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]  # nothing made


def test_dask_output_check_comes_before_reading(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^--engine dask writes a folder of part files"):
        score_file(tmp_path / "missing.csv", tmp_path / "out.parquet", engine="dask")


def test_dask_still_refuses_jsonl_parts(postings: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["score", str(postings), "-o", "scored", "--engine", "dask",
                                 "--format", "jsonl"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: --engine dask writes parquet or csv parts, not jsonl"


@pytest.mark.slow
def test_dask_csv_parts_in_a_folder_join_the_lists(postings: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["score", str(postings), "-o", "scored", "--engine", "dask",
                                 "--format", "csv", "-j", "1", "--chunk-size", "2"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0].startswith("Columns: text=description, ")
    parts = sorted((tmp_path / "scored").iterdir())
    assert [p.name for p in parts] == ["part-000000.csv", "part-000001.csv", "part-000002.csv"]
    got = pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False) for p in parts],
                    ignore_index=True)
    score_file(postings, tmp_path / "local.csv", jobs=1, chunk_size=2)
    pd.testing.assert_frame_equal(got, pd.read_csv(tmp_path / "local.csv", dtype=str,
                                                   keep_default_na=False))
    assert "retrieval-augmented generation" in got.loc[0, "ai_skills"].split("; ")


@pytest.mark.slow
def test_dask_reads_a_parquet_input_with_numbers_and_lists(
    tmp_path: Path, samples: dict[str, str]
) -> None:
    source = tmp_path / "in.parquet"
    pd.DataFrame({"n": [1, 2], "tags": [["llm"], []],
                  "description": [samples["ai_engineer"], samples["data_scientist"]]}
                 ).to_parquet(source)
    summary = score_file(source, tmp_path / "scored", engine="dask", jobs=1)
    assert summary.labels == {"ai_engineer": 1, "data_scientist": 1}
    frame = pd.read_parquet(tmp_path / "scored")
    assert frame["n"].tolist() == [1, 2]
    assert list(frame.loc[0, "ai_skills"]).count("retrieval-augmented generation") == 1


# -- how many jobs by default ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "size", "cores", "jobs"),
    [
        (AUTO_SMALL_ROWS - 1, None, 8, 1),  # a small Parquet file: rows are known
        (AUTO_SMALL_ROWS, None, 8, AUTO_MAX_JOBS),
        (AUTO_SMALL_ROWS, None, 2, 2),
        (10, 10 ** 9, 8, 1),  # rows win over bytes when known
        (None, AUTO_SMALL_BYTES - 1, 8, 1),  # a CSV or JSONL file: its size
        (None, AUTO_SMALL_BYTES, 8, AUTO_MAX_JOBS),
        (None, AUTO_SMALL_BYTES, 3, 3),
        (None, None, 8, AUTO_MAX_JOBS),  # standard input: size unknown
        (None, None, None, 1),  # cores unknown
        (None, 10 ** 9, 1, 1),
    ],
)
def test_auto_jobs(rows: int | None, size: int | None, cores: int | None, jobs: int) -> None:
    assert auto_jobs(rows, size, cores) == jobs


def test_size_hint_of_each_kind_of_input(tmp_path: Path, samples: dict[str, str]) -> None:
    source = write_csv(tmp_path / "in.csv", ["description"], [[t] for t in samples.values()])
    data = source.read_bytes()
    (tmp_path / "in.csv.gz").write_bytes(gzip.compress(data))
    pd.read_csv(source).to_parquet(tmp_path / "in.parquet")
    with TableReader(source) as reader:
        assert reader.size_hint() == (None, len(data))
    with TableReader(tmp_path / "in.csv.gz") as reader:
        assert reader.size_hint() == (None, len(data))  # the size inside, not the compressed one
    with TableReader(tmp_path / "in.parquet") as reader:
        assert reader.size_hint() == (4, None)


def test_a_small_input_is_scored_in_one_job_by_default(postings: Path, tmp_path: Path) -> None:
    summary = score_file(postings, tmp_path / "out.csv")
    assert summary.jobs == 1
    assert f"{summary.jobs} job(s)" in summary.report()


def test_jobs_help_states_the_rule() -> None:
    import typer

    command = typer.main.get_command(app).commands["score"]  # type: ignore[attr-defined]
    (jobs,) = [p for p in command.params if p.name == "jobs"]
    assert f"under {AUTO_SMALL_ROWS:,} rows, or under {AUTO_SMALL_BYTES // 1_000_000} MB" in jobs.help
    assert f"else all cores, at most {AUTO_MAX_JOBS}" in jobs.help
