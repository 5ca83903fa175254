"""``jdanalyzer score`` under stress: long cells, tampered resumes, bad output paths, orphans.

Each test drives the command through typer's ``CliRunner`` (or a real process) and checks the
exit code, the one ``Error:`` line and that rows in = rows out.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from jdanalyzer.batch import score as score_module
from jdanalyzer.batch.score import GENERATED, ScoreProgress, score_file
from jdanalyzer.cli.main import app

runner = CliRunner()
LINE = "We fine-tune LLMs, ship RAG pipelines and deploy agents with Python."


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def write_csv(path: Path, rows: list[list[str]], header=("posting_id", "title", "description")) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([list(header), *rows])
    return path


@pytest.fixture
def postings(tmp_path: Path, samples: dict[str, str]) -> Path:
    """12 postings (the four samples, three times) in a CSV."""
    rows = [[f"{name}-{i}", "", text] for i in range(3) for name, text in samples.items()]
    return write_csv(tmp_path / "in.csv", rows)


# -- a long cell is one row -------------------------------------------------------------------


@pytest.mark.parametrize("sep", ["\n", " "], ids=["many-lines", "one-line"])
def test_a_long_cell_is_one_row_that_keeps_its_id(
    tmp_path: Path, samples: dict[str, str], sep: str
) -> None:
    long = sep.join([LINE] * (200_000 // len(LINE) + 1))
    rows = [[f"id{i}", "", long if i == 7 else samples["hybrid"]] for i in range(20)]
    source = write_csv(tmp_path / "in.csv", rows)
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["score", str(source), "-o", str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Scored 20 of 20 rows in ")
    scored = read_csv(out)
    assert scored["posting_id"].tolist() == [f"id{i}" for i in range(20)]
    assert scored.loc[7, "label"] == "ai_engineer"
    assert scored.loc[7, "description"] == long[:100_000]
    first = 2 + 7 * (samples["hybrid"].count("\n") + 1)  # after the header and 7 rows
    where = f"line {first}" if sep == " " else f"lines {first}-{first + long.count(chr(10))}"
    assert scored.loc[7, "error"] == (
        f"warning: {where}: the description cell has {len(long):,} characters; "
        "only its first 100,000 are kept"
    )
    assert (scored["error"].drop(index=7) == "").all()
    assert f"\n  posting_id id7: warning: {where}: the description cell" in result.stdout


# -- --resume checks what it finds ------------------------------------------------------------


def interrupt_after_two_chunks(source: Path, out: Path) -> Path:
    def stop(done: ScoreProgress) -> None:
        if done.rows >= 10:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        score_file(source, out, jobs=1, chunk_size=5, progress=stop)
    parts = out.with_name(out.name + ".parts")
    assert sorted(p.name for p in parts.iterdir()) == [
        "part-000000.csv", "part-000001.csv", "progress.json"
    ]
    return parts


def same_size_edit(source: Path, parts: Path) -> None:
    data = source.read_bytes()
    source.write_bytes(data.replace(b"ai_engineer-0", b"ai_engineer-9"))
    assert len(source.read_bytes()) == len(data)


def set_progress(text: str) -> Callable[[Path, Path], None]:
    return lambda source, parts: (parts / "progress.json").write_text(text, encoding="utf-8")


def edit_progress(change: Callable[[dict], None]) -> Callable[[Path, Path], None]:
    def edit(source: Path, parts: Path) -> None:
        progress = json.loads((parts / "progress.json").read_text(encoding="utf-8"))
        change(progress)
        (parts / "progress.json").write_text(json.dumps(progress), encoding="utf-8")

    return edit


AGAIN = "rerun with --force instead of --resume to start over"


@pytest.mark.parametrize(
    ("damage", "error"),
    [
        (same_size_edit,
         "Error: cannot resume: {source} has changed since the run in {parts} started "
         f"(its SHA-256 differs); {AGAIN}"),
        (lambda source, parts: (parts / "part-000001.csv").unlink(),
         f"Error: cannot resume: {{parts}}/part-000001.csv is missing; {AGAIN}"),
        (lambda source, parts: (parts / "part-000000.csv").write_text("x,y\n", encoding="utf-8"),
         "Error: cannot resume: {parts}/part-000000.csv has changed since it was written "
         f"(its SHA-256 differs); {AGAIN}"),
        (set_progress("{not json"),
         "Error: cannot resume: {parts}/progress.json is damaged (not JSON: Expecting property "
         f"name enclosed in double quotes: line 1 column 2 (char 1)); {AGAIN}"),
        (set_progress("[1, 2]"),
         "Error: cannot resume: {parts}/progress.json is damaged (not a version 2 progress "
         f"file); {AGAIN}"),
        (edit_progress(lambda p: p["parts"].pop()),
         "Error: cannot resume: {parts}/progress.json is damaged (the chunks and parts do not "
         f"agree); {AGAIN}"),
        (edit_progress(lambda p: p["tally"].update(rows=3000)),
         "Error: cannot resume: {parts}/progress.json is damaged (its row tally is not the sum "
         f"of its parts); {AGAIN}"),
        (edit_progress(lambda p: p["parts"][0].update(rows="five")),
         "Error: cannot resume: {parts}/progress.json is damaged (a part entry is not name, rows, "
         "sha256: {{'name': 'part-000000.csv', 'rows': 'five', 'sha256': '{sha}'}}); " + AGAIN),
        (edit_progress(lambda p: (p["parts"][1].update(rows=4), p["tally"].update(rows=9))),
         "Error: cannot resume: chunk 2 of {source} has 5 rows but {parts}/part-000001.csv "
         f"holds 4; {AGAIN}"),
        (lambda source, parts: (parts / "progress.json").unlink(),
         "Error: cannot resume: {parts}/progress.json is damaged (it is missing, but parts are "
         f"there); {AGAIN}"),
    ],
    ids=["same-size-edit", "part-deleted", "part-changed", "not-json", "not-a-dict",
         "parts-short", "tally-wrong", "bad-entry", "rows-differ", "progress-deleted"],
)
def test_resume_refuses_what_does_not_add_up(
    tmp_path: Path, postings: Path, damage: Callable[[Path, Path], None], error: str
) -> None:
    out = tmp_path / "out.csv"
    parts = interrupt_after_two_chunks(postings, out)
    sha = json.loads((parts / "progress.json").read_text())["parts"][0]["sha256"]
    damage(postings, parts)
    result = runner.invoke(
        app, ["score", str(postings), "-o", str(out), "-j", "1", "--chunk-size", "5", "--resume"]
    )
    assert result.exit_code == 2, result.output
    # the last line: a part that does not match is found while reading, after the Columns line
    assert result.stderr.strip().splitlines()[-1] == error.format(
        source=postings.resolve(), parts=parts, sha=sha)
    assert not out.exists()


def test_resume_with_the_same_parts_gives_the_fresh_output(tmp_path: Path, postings: Path) -> None:
    out = tmp_path / "out.csv"
    parts = interrupt_after_two_chunks(postings, out)
    progress = json.loads((parts / "progress.json").read_text())
    assert progress["settings"]["input_sha256"] == score_module._sha256(postings)
    assert [(p["name"], p["rows"]) for p in progress["parts"]] == [
        ("part-000000.csv", 5), ("part-000001.csv", 5)
    ]
    (parts / "part-000002.csv").write_text("stray,row\n", encoding="utf-8")  # never recorded
    result = runner.invoke(
        app, ["score", str(postings), "-o", str(out), "-j", "1", "--chunk-size", "5", "--resume"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Scored 12 of 12 rows in ")
    fresh = tmp_path / "fresh.csv"
    score_file(postings, fresh, jobs=1, chunk_size=5)
    pd.testing.assert_frame_equal(read_csv(out), read_csv(fresh))


# -- the output location is checked before any work ----------------------------------------------


@pytest.fixture
def no_scoring(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("scoring started before the output was checked")

    monkeypatch.setattr(score_module, "_score_chunks", fail)


def test_output_under_a_file(tmp_path: Path, postings: Path, no_scoring: None) -> None:
    (tmp_path / "afile").write_text("not a folder", encoding="utf-8")
    out = tmp_path / "afile" / "sub" / "out.csv"
    result = runner.invoke(app, ["score", str(postings), "-o", str(out), "-j", "1"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"Error: cannot write {out}: {tmp_path / 'afile'} is a file, not a folder; choose another -o"
    )


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_output_on_a_folder(tmp_path: Path, postings: Path, no_scoring: None, force: list[str]) -> None:
    folder = tmp_path / "scored"
    (folder / "keep").mkdir(parents=True)
    result = runner.invoke(
        app, ["score", str(postings), "-o", str(folder), "--format", "csv", "-j", "1", *force]
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"Error: {folder} is a folder; -o names the file to write, e.g. {folder}/scored.csv"
    )
    assert (folder / "keep").is_dir()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_output_in_a_read_only_folder(tmp_path: Path, postings: Path, no_scoring: None) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = runner.invoke(app, ["score", str(postings), "-o", str(folder / "out.csv"), "-j", "1"])
    finally:
        folder.chmod(0o755)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"Error: cannot write in {folder}: permission denied; choose another -o"
    )


def test_output_where_not_even_root_may_write(postings: Path, no_scoring: None) -> None:
    folder = Path("/sys/jdanalyzer-test")
    try:
        folder.mkdir()
    except OSError as exc:
        reason = exc.strerror
    else:  # pragma: no cover - not Linux's sysfs
        folder.rmdir()
        pytest.skip("/sys is writable here")
    if not os.access("/sys", os.W_OK | os.X_OK):
        expected = "Error: cannot write in /sys: permission denied; choose another -o"
    else:
        expected = f"Error: cannot create {folder}: {reason}; choose another -o"
    result = runner.invoke(app, ["score", str(postings), "-o", str(folder / "out.csv"), "-j", "1"])
    assert result.exit_code == 2
    assert result.stderr.strip() == expected


# -- Parquet list columns, and input columns named like output ones ------------------------------


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl", ".csv"])
def test_a_parquet_list_column_is_kept(tmp_path: Path, samples: dict[str, str], suffix: str) -> None:
    source = tmp_path / "in.parquet"
    pd.DataFrame({
        "id": ["a", "b"], "description": [samples["ai_engineer"], samples["data_scientist"]],
        "tags": [["llm", "rag"], []],
    }).to_parquet(source)
    out = tmp_path / f"out{suffix}"
    result = runner.invoke(app, ["score", str(source), "-o", str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    if suffix == ".jsonl":
        records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert [r["tags"] for r in records] == [["llm", "rag"], []]
        assert [r["label"] for r in records] == ["ai_engineer", "data_scientist"]
    else:
        frame = pd.read_parquet(out) if suffix == ".parquet" else read_csv(out)
        assert frame["tags"].tolist() == ['["llm", "rag"]', "[]"]
        assert frame["label"].tolist() == ["ai_engineer", "data_scientist"]


def test_input_columns_named_like_output_ones_are_kept_and_named(
    tmp_path: Path, samples: dict[str, str]
) -> None:
    header = ("id", "description", "label", "error", "__jd_error", "input_error")
    source = write_csv(tmp_path / "in.csv", [
        ["1", samples["ai_engineer"], "mine", "typo", "internal", "taken"],
        ["2", "", "yours", "", "", ""],
    ], header=header)
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["score", str(source), "-o", str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    assert result.stderr.strip().splitlines()[-1] == (
        "Warning: input column(s) label, error, __jd_error are written as input_label, "
        "input_input_error, input___jd_error: jdanalyzer writes its own columns by those names"
    )
    frame = read_csv(out)
    assert frame.columns.tolist() == [
        "id", "description", "input_label", "input_input_error", "input___jd_error",
        "input_error", *GENERATED,
    ]
    assert frame["input_label"].tolist() == ["mine", "yours"]
    assert frame["input_input_error"].tolist() == ["typo", ""]
    assert frame["input___jd_error"].tolist() == ["internal", ""]
    assert frame["input_error"].tolist() == ["taken", ""]
    assert frame["label"].tolist() == ["ai_engineer", ""]
    assert frame["error"].tolist()[1] == "the description cell is empty; not scored"


# -- workers die with their parent ---------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent watch is tested on Linux")
def test_workers_exit_when_the_parent_is_killed(tmp_path: Path, samples: dict[str, str]) -> None:
    import psutil

    texts = list(samples.values())
    source = write_csv(tmp_path / "big.csv", [[str(i), "", texts[i % 4]] for i in range(4000)])
    command = [str(Path(sys.executable).with_name("jdanalyzer")), "score", str(source),
               "-o", str(tmp_path / "out.csv"), "--jobs", "2", "--chunk-size", "16"]
    parent = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # until both workers have scored a chunk
            workers = psutil.Process(parent.pid).children()
            if len(workers) == 2 and (tmp_path / "out.csv.parts" / "part-000001.csv").exists():
                break
            time.sleep(0.1)
        assert len(workers) == 2, "the workers did not start"
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        _, alive = psutil.wait_procs(workers, timeout=5)
        alive = [w for w in alive if w.status() != psutil.STATUS_ZOMBIE]
        assert alive == [], "workers outlived their parent"
    finally:
        for worker in workers:
            if worker.is_running():
                worker.kill()
        if parent.poll() is None:
            parent.kill()
