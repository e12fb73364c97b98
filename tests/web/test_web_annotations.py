"""Named coders' annotations in SQLite: revisions, single events, exports, concurrency."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from facs.formats import read_eaf, read_events


def event(code: str = "12", onset: float = 0.5, apex: float = 1.0, offset: float = 1.5,
          letter: str = "C") -> dict[str, Any]:  # fmt: skip
    return {"code": code, "onset_s": onset, "apex_s": apex, "offset_s": offset,
            "peak": float(" ABCDE".index(letter or " ")), "letter": letter}  # fmt: skip


def url(video: str, coder: str = "alice") -> str:
    return f"/api/videos/{video}/annotations/{coder}"


def test_put_replaces_the_list_and_bumps_the_revision(client: TestClient, video_id: str) -> None:
    empty = client.get(url(video_id)).json()
    assert empty == {"video": video_id, "coder": "alice", "saved": False, "revision": 0,
                     "events": []}  # fmt: skip
    first = client.put(url(video_id), json={"revision": 0, "events": [event(), event("AU26")]})
    assert first.status_code == 200, first.text
    assert first.json()["revision"] == 1
    assert [e["code"] for e in first.json()["events"]] == ["12", "26"]
    second = client.put(url(video_id), json={"revision": 1, "events": [event("L12")]})
    assert second.json()["revision"] == 2
    stored = client.get(url(video_id)).json()
    assert stored["saved"] is True and [e["code"] for e in stored["events"]] == ["L12"]
    # another coder's list is separate
    assert client.get(url(video_id, "bob")).json()["events"] == []
    assert client.get(f"/api/videos/{video_id}").json()["coders"] == [
        {"coder": "alice", "revision": 2}
    ]


def test_stale_revision_is_409_and_keeps_the_other_save(client: TestClient, video_id: str) -> None:
    assert client.put(url(video_id), json={"revision": 0, "events": [event()]}).status_code == 200
    # two tabs both loaded revision 1
    tab1 = client.put(url(video_id), json={"revision": 1, "events": [event("1")]})
    tab2 = client.put(url(video_id), json={"revision": 1, "events": [event("2")]})
    assert tab1.status_code == 200
    assert tab2.status_code == 409 and "revision 2" in tab2.json()["detail"]
    assert [e["code"] for e in client.get(url(video_id)).json()["events"]] == ["1"]


def test_concurrent_saves_from_two_threads_serialise(
    client: TestClient, video_id: str, workspace: Path
) -> None:
    barrier = threading.Barrier(2)
    results: dict[str, int] = {}

    def save(name: str, code: str) -> None:
        barrier.wait()
        for _ in range(5):
            events = [event(code, onset=0.01 * i) for i in range(20)]
            resp = client.put(url(video_id, name), json={"revision": results.get(name, 0),
                                                          "events": events})  # fmt: skip
            assert resp.status_code == 200, resp.text
            results[name] = resp.json()["revision"]

    threads = [threading.Thread(target=save, args=(n, c)) for n, c in (("t1", "1"), ("t2", "2"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == {"t1": 5, "t2": 5}
    for name, code in (("t1", "1"), ("t2", "2")):
        stored = client.get(url(video_id, name)).json()["events"]
        assert len(stored) == 20 and {e["code"] for e in stored} == {code}
    # and two threads racing on the same revision: exactly one wins
    statuses: list[int] = []
    barrier2 = threading.Barrier(2)

    def race(code: str) -> None:
        barrier2.wait()
        resp = client.put(url(video_id, "race"), json={"revision": 0, "events": [event(code)]})
        statuses.append(resp.status_code)

    racers = [threading.Thread(target=race, args=(c,)) for c in ("1", "2")]
    for t in racers:
        t.start()
    for t in racers:
        t.join(30)
    assert sorted(statuses) == [200, 409]
    with sqlite3.connect(workspace / "facs.sqlite") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_single_event_post_patch_delete(client: TestClient, video_id: str) -> None:
    base = url(video_id) + "/events"
    added = client.post(base, json=event("4B", letter="B"))
    assert added.status_code == 201, added.text
    row = added.json()["event"]
    assert (row["code"], row["letter"]) == ("4", "B") and added.json()["revision"] == 1
    clash = client.post(base, json=event("4B", letter="C"))
    assert clash.status_code == 422 and "intensity B" in clash.json()["detail"]
    patched = client.patch(f"{base}/{row['id']}", json={"offset_s": 2.5})
    assert patched.status_code == 200 and patched.json()["event"]["offset_s"] == 2.5
    bad = client.patch(f"{base}/{row['id']}", json={"onset_s": 3.0})
    assert bad.status_code == 422 and "onset_s ≤ apex_s ≤ offset_s" in bad.json()["detail"]
    assert client.patch(f"{base}/999", json={"offset_s": 2}).status_code == 404
    deleted = client.delete(f"{base}/{row['id']}")
    assert deleted.status_code == 200 and deleted.json()["revision"] == 3
    assert client.delete(f"{base}/{row['id']}").status_code == 404
    assert client.get(url(video_id)).json() | {"events": None} == {
        "video": video_id, "coder": "alice", "saved": True, "revision": 3, "events": None,
    }  # fmt: skip


def test_peak_and_letter_agree(client: TestClient, video_id: str, workspace: Path) -> None:
    base = url(video_id) + "/events"
    bare = {k: v for k, v in event(letter="D").items() if k != "peak"}
    row = client.post(base, json=bare).json()["event"]
    assert (row["letter"], row["peak"]) == ("D", 4.0)  # no peak sent: the letter's own
    lettered = client.post(base, json=event("12C") | {"letter": "", "peak": None})
    assert lettered.json()["event"]["peak"] == 3.0
    clash = client.post(base, json=event(letter="A") | {"peak": 3.0})
    assert clash.status_code == 422
    assert "letter 'A' does not match peak 3, which reads 'C'" in clash.json()["detail"]
    assert client.post(base, json=event(letter="B") | {"peak": 0.0}).status_code == 201
    # a new letter alone takes the peak with it, and a new peak alone the letter
    moved = client.patch(f"{base}/{row['id']}", json={"letter": "B"}).json()["event"]
    assert (moved["letter"], moved["peak"]) == ("B", 2.0)
    moved = client.patch(f"{base}/{row['id']}", json={"peak": 4.6}).json()["event"]
    assert (moved["letter"], moved["peak"]) == ("E", 4.6)
    both = client.patch(f"{base}/{row['id']}", json={"peak": 1.0, "letter": "C"})
    assert both.status_code == 422 and "does not match peak 1" in both.json()["detail"]
    # a list saved before they had to agree still exports, the peak following the letter
    from sqlalchemy import update

    from facs.web import _db

    sessions = client.app.state.web.sessions  # type: ignore[attr-defined]
    with sessions.begin() as session:
        session.execute(update(_db.EventRow).values(peak=3.0, letter="A"))
    exported = client.get(url(video_id) + ".csv")
    assert exported.status_code == 200, exported.text
    assert "1.0,A" in exported.text and ",3.0,A" not in exported.text


def test_a_patch_of_side_or_code_alone_moves_the_prefix_with_it(
    client: TestClient, video_id: str
) -> None:
    base = url(video_id) + "/events"
    row = client.post(base, json=event("L12")).json()["event"]
    assert (row["code"], row["side"]) == ("L12", "L")
    # a new side alone: the stored prefix goes with the old side
    moved = client.patch(f"{base}/{row['id']}", json={"side": "R"})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["event"]["code"], moved.json()["event"]["side"]) == ("R12", "R")
    # a new code alone: its own prefix (or none) sets the side
    bare = client.patch(f"{base}/{row['id']}", json={"code": "14"})
    assert (bare.json()["event"]["code"], bare.json()["event"]["side"]) == ("14", "")
    left = client.patch(f"{base}/{row['id']}", json={"code": "L10"})
    assert (left.json()["event"]["code"], left.json()["event"]["side"]) == ("L10", "L")


def test_events_read_back_with_their_ids_can_be_saved_again(
    client: TestClient, video_id: str
) -> None:
    first = client.put(url(video_id), json={"revision": 0, "events": [event(), event("L2")]})
    read = client.get(url(video_id)).json()
    assert all("id" in e for e in read["events"])
    again = client.put(url(video_id), json={"revision": read["revision"], "events": read["events"]})
    assert again.status_code == 200, again.text
    assert [e["code"] for e in again.json()["events"]] == [
        e["code"] for e in first.json()["events"]
    ]


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ({"code": "99"}, "not a valid FACS code"),
        ({"code": "1+2"}, "exactly one code"),
        ({"code": ""}, "not a valid FACS code"),
        ({"onset_s": 2.0}, "onset_s ≤ apex_s ≤ offset_s"),
        ({"onset_s": -1.0, "apex_s": -0.5, "offset_s": -0.1}, "greater than or equal to 0"),
        ({"letter": "F"}, "letter"),
        ({"peak": 7}, "peak"),
        ({"side": "X"}, "side"),
        ({"code": "70", "letter": "C"}, "takes no intensity"),  # then no ELAN export could be
        ({"code": "L12", "side": "R"}, "is side L but side is 'R'"),
        ({"code": "12", "side": "T"}, "T/B (one lip) apply only to 22 and 28"),
        ({"code": "A12", "side": "L"}, "has its own prefix"),
        ({"code": "M55", "side": "L"}, "is a movement (M prefix) and takes no side"),
        ({"code": "0"}, "no action"),
        ({"bogus": 1}, "bogus"),  # an unknown field is refused, not dropped
    ],
)
def test_invalid_events_are_422_with_a_message(
    client: TestClient, video_id: str, bad: dict[str, Any], words: str
) -> None:
    body = event() | bad
    single = client.post(url(video_id) + "/events", json=body)
    assert single.status_code == 422 and words in single.json()["detail"]
    whole = client.put(url(video_id), json={"revision": 0, "events": [event(), body]})
    assert whole.status_code == 422 and words in whole.json()["detail"]
    assert "events.1" in whole.json()["detail"]
    assert client.get(url(video_id)).json()["saved"] is False  # nothing half-saved


def test_a_side_and_a_prefix_are_one_thing_and_every_saved_event_exports(
    client: TestClient, video_id: str
) -> None:
    events = [event("L14B", letter=""), event("12") | {"side": "R"}, event("B28"),
              event("70", 3, 3, 4, letter="")]  # fmt: skip
    saved = client.put(url(video_id), json={"revision": 0, "events": events})
    assert saved.status_code == 200, saved.text
    stored = client.get(url(video_id)).json()["events"]
    assert [(e["code"], e["side"], e["letter"]) for e in stored] == [
        ("L14", "L", "B"), ("R12", "R", "C"), ("B28", "B", "C"), ("70", "", "")]  # fmt: skip
    assert client.get(url(video_id) + ".eaf").status_code == 200


def test_malformed_json_is_422(client: TestClient, video_id: str) -> None:
    resp = client.put(
        url(video_id), content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert resp.status_code == 422 and isinstance(resp.json()["detail"], str)
    nan = client.put(url(video_id), content=b'{"revision": 0, "events": [{"code": "12", '
                     b'"onset_s": NaN, "apex_s": 1, "offset_s": 2}]}',
                     headers={"Content-Type": "application/json"})  # fmt: skip
    assert nan.status_code == 422


def test_exports_csv_and_elan(client: TestClient, video_id: str, tmp_path: Path) -> None:
    assert client.get(url(video_id) + ".csv").status_code == 404
    events = [event(), event("L2", 2, 2.5, 3, letter="B")]
    assert client.put(url(video_id), json={"revision": 0, "events": events}).status_code == 200
    csv = client.get(url(video_id) + ".csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert f'filename="{video_id}-alice.csv"' in csv.headers["content-disposition"]
    (tmp_path / "a.csv").write_bytes(csv.content)
    table = read_events(tmp_path / "a.csv")
    assert table["code"].tolist() == ["12", "L2"]
    assert table["letter"].tolist() == ["C", "B"]
    eaf = client.get(url(video_id) + ".eaf")
    assert eaf.status_code == 200 and b"ANNOTATION_DOCUMENT" in eaf.content
    (tmp_path / "a.eaf").write_bytes(eaf.content)
    back = read_eaf(tmp_path / "a.eaf")
    events = back[1] if isinstance(back, tuple) else back
    assert len(events) == 2


def test_annotations_survive_a_new_app(workspace: Path, video_id: str, client: TestClient) -> None:
    from facs.web.app import create_app

    client.put(url(video_id), json={"revision": 0, "events": [event()]})
    app = create_app(workspace)
    with TestClient(app, base_url="http://127.0.0.1") as fresh:
        stored = fresh.get(url(video_id)).json()
    app.state.engine.dispose()
    assert stored["revision"] == 1 and stored["events"][0]["code"] == "12"


def changes(revision: int, add: list[dict[str, Any]] | None = None,
            update: dict[int, dict[str, Any]] | None = None,
            delete: list[int] | None = None) -> dict[str, Any]:  # fmt: skip
    return {"revision": revision, "add": add or [],
            "update": [{"id": k, "event": v} for k, v in (update or {}).items()],
            "delete": delete or []}  # fmt: skip


def test_two_tabs_editing_different_events_keep_both(client: TestClient, video_id: str) -> None:
    start = client.put(
        url(video_id), json={"revision": 0, "events": [event("1"), event("2"), event("4")]}
    )
    ids = {e["code"]: e["id"] for e in start.json()["events"]}
    base = start.json()["revision"]
    # tab A moves 1 later; tab B, from the same revision, deletes 2 and adds 12
    tab_a = client.post(
        url(video_id) + "/changes", json=changes(base, update={ids["1"]: event("1", 2.0, 2.5, 3.0)})
    )
    tab_b = client.post(
        url(video_id) + "/changes", json=changes(base, add=[event("12")], delete=[ids["2"]])
    )
    assert tab_a.status_code == 200 and tab_b.status_code == 200, tab_b.text
    stored = client.get(url(video_id)).json()
    assert stored["revision"] == base + 2 == tab_b.json()["revision"]
    assert sorted(e["code"] for e in stored["events"]) == ["1", "12", "4"]
    moved = next(e for e in stored["events"] if e["code"] == "1")
    assert moved["onset_s"] == 2.0 and moved["id"] == ids["1"]


def test_changing_an_event_another_tab_changed_is_refused_whole(
    client: TestClient, video_id: str
) -> None:
    start = client.put(url(video_id), json={"revision": 0, "events": [event("1"), event("2")]})
    ids = {e["code"]: e["id"] for e in start.json()["events"]}
    base = start.json()["revision"]
    assert client.post(url(video_id) + "/changes",
                       json=changes(base, update={ids["1"]: event("1", letter="E")})
                       ).status_code == 200  # fmt: skip
    late = client.post(
        url(video_id) + "/changes", json=changes(base, add=[event("26")], delete=[ids["1"]])
    )
    assert late.status_code == 409
    detail = late.json()["detail"]
    assert detail["conflicts"] == [{"id": ids["1"], "reason": "changed by another save"}]
    assert "reload" in detail["message"] and detail["revision"] == base + 1
    # nothing of the refused save was written
    assert sorted(e["code"] for e in client.get(url(video_id)).json()["events"]) == ["1", "2"]
    gone = client.post(url(video_id) + "/changes", json=changes(base + 1, delete=[ids["2"]]))
    assert gone.status_code == 200
    again = client.post(
        url(video_id) + "/changes", json=changes(base + 1, update={ids["2"]: event("2")})
    )
    reason = again.json()["detail"]["conflicts"][0]["reason"]
    assert reason == "not found (deleted by another save, or never an event of this coder)"
    future = client.post(url(video_id) + "/changes", json=changes(99))
    assert future.status_code == 409


def test_single_event_edits_check_the_base_revision(client: TestClient, video_id: str) -> None:
    start = client.put(url(video_id), json={"revision": 0, "events": [event("1")]})
    event_id = start.json()["events"][0]["id"]
    ok = client.patch(f"{url(video_id)}/events/{event_id}", params={"base": 1},
                      json={"letter": "E"})  # fmt: skip
    assert ok.status_code == 200 and ok.json()["revision"] == 2
    stale = client.patch(f"{url(video_id)}/events/{event_id}", params={"base": 1},
                         json={"letter": "A"})  # fmt: skip
    assert stale.status_code == 409
    stale_delete = client.delete(f"{url(video_id)}/events/{event_id}", params={"base": 1})
    assert stale_delete.status_code == 409
    assert client.get(url(video_id)).json()["events"][0]["letter"] == "E"
    assert (
        client.delete(f"{url(video_id)}/events/{event_id}", params={"base": 2}).status_code == 200
    )


def test_a_revision_from_the_future_or_two_changes_to_one_event_are_refused(
    client: TestClient, video_id: str
) -> None:
    start = client.put(url(video_id), json={"revision": 0, "events": [event("1"), event("2")]})
    one, two = (e["id"] for e in start.json()["events"])
    base = f"{url(video_id)}/events"
    future = client.patch(f"{base}/{one}", params={"base": 999}, json={"offset_s": 2.0})
    assert future.status_code == 409 and "revision 999 is newer than the stored 1" in future.text
    gone = client.delete(f"{base}/{two}", params={"base": 999})
    assert gone.status_code == 409
    changes = f"{url(video_id)}/changes"
    twice = client.post(changes, json={"revision": 1, "update": [
        {"id": one, "event": event("4")}, {"id": one, "event": event("5")}]})  # fmt: skip
    assert twice.status_code == 422 and f"events {one} are updated twice" in twice.text
    both = client.post(changes, json={"revision": 1, "update": [{"id": one, "event": event("4")}],
                                      "delete": [one]})  # fmt: skip
    assert both.status_code == 422 and "both updated and deleted" in both.text
    truthy = client.put(url(video_id), json={"revision": True, "events": []})
    assert truthy.status_code == 422  # true is no revision (it was read as 1)
    stored = client.get(url(video_id)).json()
    assert stored["revision"] == 1 and [e["code"] for e in stored["events"]] == ["1", "2"]


def test_bad_changes_are_422_naming_the_field(client: TestClient, video_id: str) -> None:
    bad = client.post(url(video_id) + "/changes",
                      json=changes(0, add=[event("12X")]))  # fmt: skip
    assert bad.status_code == 422 and "add.0.code" in bad.json()["detail"]


def test_an_unknown_event_named_three_times_is_one_conflict(
    client: TestClient, video_id: str
) -> None:
    assert client.put(url(video_id), json={"revision": 0, "events": [event()]}).status_code == 200
    resp = client.post(url(video_id) + "/changes", json=changes(1, delete=[999, 999, 999]))
    assert resp.status_code == 409
    conflicts = resp.json()["detail"]["conflicts"]
    assert len(conflicts) == 1 and "never an event of this coder" in conflicts[0]["reason"]
    bad = client.get(f"/api/videos/{video_id}/annotations/{'c' * 65}")
    assert bad.status_code == 400 and "1-64 letters" in bad.json()["detail"]
