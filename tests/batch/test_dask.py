"""``ducha batch --executor dask``: the same batch on a ``distributed.LocalCluster`` gives
byte-identical outputs; a task that crashes, hangs or raises on a worker fails only itself."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Iterator

import dask
import pytest
from distributed import Client, LocalCluster

from checker.executors import run_dask
from checker.pool import Failed

from .crashers import misbehave
from .helpers import ducha, variant, write_json, write_yaml

OUTPUTS = ("results.json", "findings.csv", "scorecard.xlsx", "report.html")


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    # A task whose worker dies is not retried on another (the default retries it 3 times).
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.CRITICAL) as c:
        yield c


def test_a_batch_on_dask_equals_the_local_one(tmp_path: Path, cluster: LocalCluster,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    inbox = tmp_path / "inbox"
    write_yaml(variant(period="2018Q3", as_of="2018-09-30", remove_docs=("D-WP-T1",)), inbox / "a-q3.yaml")
    write_json(variant(period="2018Q4", as_of="2018-12-31"), inbox / "b-q4.json")
    write_json(variant(period="2018Q4", as_of="2018-12-31", submission_id="GG-450802-2018Q4-B"), inbox / "c.json")
    (inbox / "d-broken.json").write_text("[", encoding="utf-8")
    code_l, out_l, _ = ducha(capsys, "batch", inbox, "--out", tmp_path / "local", "--lang", "en")
    code_d, out_d, err_d = ducha(capsys, "batch", inbox, "--out", tmp_path / "dask", "--lang", "en",
                                 "--executor", "dask", "--scheduler", cluster.scheduler_address)
    assert f"checking with the Dask cluster at {cluster.scheduler_address}" in err_d
    assert code_d == code_l == 2
    assert out_d.splitlines()[-1] == out_l.splitlines()[-1] == \
        "4 inputs: 3 checked, 1 unusable, 0 not checked (4 accounted for)"
    for name in OUTPUTS:
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name


def test_failures_on_a_worker_cost_only_their_own_task(cluster: LocalCluster) -> None:
    tasks = ["ok:a", "crash", "ok:b", "hang", "raise", "ok:c", "kill-worker", "ok:d"]
    with Client(cluster.scheduler_address, set_as_default=False) as client:
        got = dict(run_dask(tasks, misbehave, client=client, timeout=5))
    assert sorted(got) == list(range(len(tasks)))
    assert [got[i].split("@")[0] for i in (0, 2, 5, 7)] == ["a", "b", "c", "d"]
    crash, hang, raised = got[1], got[3], got[4]
    assert isinstance(crash, Failed) and "SIGKILL" in crash.reason_en
    assert isinstance(hang, Failed) and "timed out after 5 s" in hang.reason_en and "超过时限" in hang.reason_zh
    assert isinstance(raised, Failed) and "ValueError: bad task" in raised.reason_en
    lost = got[6]
    assert isinstance(lost, Failed) and "KilledWorker" in lost.reason_en, lost


def test_an_unreachable_scheduler_or_a_missing_address_is_a_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("checker.executors.CONNECT_TIMEOUT", 2.0)
    write_json(variant(period="2018Q4", as_of="2018-12-31"), tmp_path / "in" / "a.json")
    code, _, err = ducha(capsys, "batch", tmp_path / "in", "--out", tmp_path / "out", "--executor", "dask")
    assert code == 2 and "--executor dask 须与 --scheduler" in err
    code, _, err = ducha(capsys, "batch", tmp_path / "in", "--out", tmp_path / "out", "--lang", "en",
                         "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9")
    assert code == 2 and "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in err
    assert not (tmp_path / "out").exists()
