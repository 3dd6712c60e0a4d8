"""The web app's JSON API and pages, through FastAPI's test client, on SQLite and PostgreSQL.

Each answer is checked against the rulebook or the store asked directly,
never against numbers written here.
"""

from __future__ import annotations

import doctest
import importlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_support import STORY_NAME, TOKEN, store_run, store_story, story_facts

from packlaw.notation import parse_chronicle, replay
from packlaw.rules import Day, Share
from packlaw.store import Store
from packlaw.web import create_app
from packlaw.web.site import CONTENT_SECURITY_POLICY

Dump = Callable[[str], dict[str, list[tuple[Any, ...]]]]
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with Store(db_url) as store:
        store_story(store)
        yield store


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(store, TOKEN), raise_server_exceptions=True) as client:
        yield client


def problem(response: Any, status: int) -> dict[str, Any]:
    """The answer's `Problem`, after checking its status: one sentence in `detail`."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    return body


# ------------------------------------------------------------ chronicles


def test_the_chronicles_are_listed_newest_first(client: TestClient, store: Store) -> None:
    store.import_chronicle("later", parse_chronicle("being Derek werewolf\n").statements)
    listed = client.get("/api/chronicles").json()
    assert [c["name"] for c in listed] == ["later", STORY_NAME]
    assert listed[1]["statements"] == store.chronicle(STORY_NAME).statements


def test_a_chronicle_gives_every_statement_with_its_line_day_and_refusals(
    client: TestClient, store: Store
) -> None:
    # Lines are those of the stored chronicle's canonical text; days come from its `day` lines.
    parsed = parse_chronicle(store.export(STORY_NAME))
    expected, day = [], 0
    for line, statement in zip(parsed.lines, parsed.statements, strict=True):
        day = statement.number if isinstance(statement, Day) else day
        expected.append((line, day, str(statement)))
    pages: list[dict[str, Any]] = []
    after: int | None = 0
    while after is not None:
        page = client.get(f"/api/chronicles/{STORY_NAME}", params={"after": after, "limit": 40})
        assert page.status_code == 200
        pages.append(page.json())
        after = pages[-1]["next_after"]
    events = [e for p in pages for e in p["events"]]
    assert len(pages) > 1
    assert [(e["line"], e["day"], e["text"]) for e in events] == expected
    assert [s.day for s in store.statements(STORY_NAME)] == [day for _, day, _ in expected]
    # The refused events are those an `expect Rn` announced, refused with that rule.
    for before, e in zip([None, *events], events, strict=False):
        if e["refused"]:
            assert before is not None and before["text"].startswith("expect R")
            assert before["text"].split()[1] in [r["rule"] for r in e["refused"]]
    assert any(e["refused"] for e in events)


def test_the_world_at_a_line_is_the_rulebooks(client: TestClient, store: Store) -> None:
    facts = story_facts(store)
    chronicle = parse_chronicle(store.export(STORY_NAME))
    for line in (facts.member_line, facts.ally_line, facts.last_line):
        world = replay(chronicle, line=line)
        answer = client.get(f"/api/chronicles/{STORY_NAME}/world", params={"line": line}).json()
        assert answer["line"] == line and answer["day"] == world.day
        by_name = {b["name"]: b for b in answer["beings"]}
        for name, being in by_name.items():
            assert being["standing"] == str(world.standing(name))
            assert being["pack"] == world.pack_of(name)
            assert being["health"] == world.health(name) / 1000
        packs = {p["name"]: p for p in answer["packs"]}
        for p in world.summary().packs:
            assert packs[p.name]["alpha"] == p.alpha
            assert packs[p.name]["betas"] == p.betas
            assert packs[p.name]["allies"] == p.allies
            assert packs[p.name]["established"] == world.is_established(p.name)
            assert packs[p.name]["strength"] == pytest.approx(world.pack_strength(p.name))
    member = client.get(f"/api/chronicles/{STORY_NAME}/world?line={facts.member_line}").json()
    ally = client.get(f"/api/chronicles/{STORY_NAME}/world?line={facts.ally_line}").json()
    assert "Stiles" in next(p for p in member["packs"] if p["name"] == facts.pack)["human_members"]
    assert "Stiles" in next(p for p in ally["packs"] if p["name"] == facts.pack)["allies"]


def test_viewed_as_a_being_the_business_it_did_not_see_is_left_out(
    client: TestClient, store: Store
) -> None:
    facts = story_facts(store)
    everyone = client.get(f"/api/chronicles/{STORY_NAME}/world").json()
    stiles = client.get(f"/api/chronicles/{STORY_NAME}/world", params={"as": "Stiles"}).json()
    assert [b["text"] for b in everyone["pack_business"]] == facts.shares
    assert [b["text"] for b in stiles["pack_business"]] == facts.seen_by_stiles
    assert stiles["viewed_as"] == "Stiles"
    # The statements answer hides the same shares; the standings are everyone's to know.
    statements = client.get(f"/api/chronicles/{STORY_NAME}", params={"as": "Stiles"}).json()
    texts = [e["text"] for e in statements["events"]]
    assert str(Share(facts.pack, facts.hidden_from_stiles)) not in texts
    assert stiles["beings"] == everyone["beings"]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/chronicles/no-such", 404),
        ("/api/chronicles/no-such/world", 404),
        (f"/api/chronicles/{STORY_NAME}/world?as=Nobody", 404),
        (f"/api/chronicles/{STORY_NAME}/world?line=-1", 422),
        (f"/api/chronicles/{STORY_NAME}/world?line=99999", 422),
        (f"/api/chronicles/{STORY_NAME}/world?line=x", 422),
        (f"/api/chronicles/{STORY_NAME}/world?line=99999999999999999999", 422),
        (f"/api/chronicles/{STORY_NAME}?limit=0", 422),
        ("/chronicles/no-such", 404),
        (f"/chronicles/{STORY_NAME}?line=abc", 422),
        (f"/chronicles/{STORY_NAME}?as=Nobody", 404),
        ("/nowhere", 404),
    ],
)
def test_unknown_things_are_404_and_bad_parameters_422_in_one_sentence(
    client: TestClient, url: str, status: int
) -> None:
    response = client.get(url)
    assert response.status_code == status
    if url.startswith("/api/"):
        problem(response, status)
    else:
        assert response.headers["content-type"].startswith("text/html")
        assert "Traceback" not in response.text


# --------------------------------------------------------------- writing


def test_appending_needs_the_token(
    client: TestClient, store: Store, db_url: str, dump_store: Dump
) -> None:
    before = dump_store(db_url)
    url = f"/api/chronicles/{STORY_NAME}/events"
    body = {"lines": ["being Lydia human"]}
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
        answer = problem(client.post(url, json=body, headers=headers), 401)
        assert "token" in answer["detail"]
    assert dump_store(db_url) == before


def test_an_append_lands_whole_and_is_checked_on_top_of_the_story(
    client: TestClient, store: Store
) -> None:
    last = store.last_sequence(STORY_NAME)
    lines = ["being Lydia human", "# she stays out of it", "being Jackson werewolf bitten"]
    answer = client.post(
        f"/api/chronicles/{STORY_NAME}/events",
        json={"lines": lines, "expected_last_sequence": last},
        headers=AUTH,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"chronicle": STORY_NAME, "appended": 2, "last_sequence": last + 2}
    stored = parse_chronicle(store.export(STORY_NAME)).statements
    assert [str(s) for s in stored[-2:]] == [lines[0], lines[2]]
    world = client.get(f"/api/chronicles/{STORY_NAME}/world").json()
    assert {"Lydia", "Jackson"} <= {b["name"] for b in world["beings"]}


def test_an_illegal_event_is_422_with_its_rule_ids_and_nothing_is_appended(
    client: TestClient, db_url: str, dump_store: Dump
) -> None:
    before = dump_store(db_url)
    lines = ["being Lydia human", "ascend Lydia Martin"]  # R1: only werewolves lead
    answer = problem(
        client.post(f"/api/chronicles/{STORY_NAME}/events", json={"lines": lines}, headers=AUTH),
        422,
    )
    assert answer["rules"] == ["R1"] and answer["line"] == 2
    assert dump_store(db_url) == before


def test_bad_syntax_is_422_with_line_and_column_and_nothing_is_appended(
    client: TestClient, db_url: str, dump_store: Dump
) -> None:
    before = dump_store(db_url)
    lines = ["being Lydia human", "welcome Derek"]
    answer = problem(
        client.post(f"/api/chronicles/{STORY_NAME}/events", json={"lines": lines}, headers=AUTH),
        422,
    )
    assert (answer["line"], answer["column"]) == (2, len("welcome Derek") + 1)
    for bad in (
        {"lines": []},
        {"lines": ["being A human\nbeing B human"]},
        {"lines": ["# only"]},
        {},
    ):
        problem(client.post(f"/api/chronicles/{STORY_NAME}/events", json=bad, headers=AUTH), 422)
    assert dump_store(db_url) == before


def test_a_stale_append_is_409_and_an_unknown_chronicle_404(
    client: TestClient, store: Store, db_url: str, dump_store: Dump
) -> None:
    before = dump_store(db_url)
    stale = store.last_sequence(STORY_NAME) - 1
    body = {"lines": ["being Lydia human"], "expected_last_sequence": stale}
    problem(client.post(f"/api/chronicles/{STORY_NAME}/events", json=body, headers=AUTH), 409)
    problem(client.post("/api/chronicles/no-such/events", json=body, headers=AUTH), 404)
    assert dump_store(db_url) == before


# ------------------------------------------------------------------ runs


def test_runs_are_listed_newest_first_with_their_metrics_and_beings(
    client: TestClient, store: Store
) -> None:
    first, second = store_run(store), store_run(store)
    assert [r["id"] for r in client.get("/api/runs").json()] == [second, first]
    detail = client.get(f"/api/runs/{first}").json()
    stored = {m.metric for m in store.daily(first)}
    assert sorted(detail["metrics"]) == sorted(stored)
    assert {b["name"] for b in detail["beings"]} == set(store.run(first).summary["beings"])  # type: ignore[index]


def test_the_runs_come_in_pages_linked_one_to_the_next_that_add_up_to_the_table(
    client: TestClient, store: Store
) -> None:
    ids = [store.start_run("paged", "", seed=n, worlds=1, days=1) for n in range(5)]
    seen, url = [], "/api/runs?limit=2"
    while url:
        answer = client.get(url)
        assert answer.status_code == 200
        page = [r["id"] for r in answer.json()]
        assert 1 <= len(page) <= 2
        seen += page
        link = answer.headers.get("link")
        url = link[link.index("<") + 1 : link.index(">")] if link else ""
    assert seen == sorted(ids, reverse=True)  # every run once, newest first
    assert client.get("/api/runs?limit=0").status_code == 422
    assert client.get("/api/runs?before=0").status_code == 422


def test_a_runs_daily_figures_come_in_pages_that_add_up_to_the_table(
    client: TestClient, store: Store
) -> None:
    run_id = store_run(store, days=25)
    rows: list[dict[str, Any]] = []
    after: int | None = 0
    pages = 0
    while after is not None:
        page = client.get(
            f"/api/runs/{run_id}/daily", params={"metric": "attacks", "after": after, "limit": 10}
        ).json()
        rows.extend(page["rows"])
        after, pages = page["next_after"], pages + 1
    assert pages == 3
    assert [(r["day"], r["mean"], r["p5"], r["p95"]) for r in rows] == [
        (m.day, m.mean, m.p5, m.p95) for m in store.daily(run_id, "attacks")
    ]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/runs/999", 404),
        ("/api/runs/0", 422),
        ("/api/runs/abc", 422),
        ("/api/runs/99999999999", 422),
        ("/api/runs/{run}/daily?metric=nope", 404),
        ("/api/runs/{run}/daily", 422),
        ("/api/runs/{run}/daily?metric=attacks&limit=0", 422),
        ("/api/runs/999/daily?metric=attacks", 404),
        ("/runs/999", 404),
        ("/runs/{run}?metric=nope", 404),
    ],
)
def test_bad_run_requests_are_4xx_in_one_sentence(
    client: TestClient, store: Store, url: str, status: int
) -> None:
    run_id = store_run(store)
    response = client.get(url.format(run=run_id))
    assert response.status_code == status
    if url.startswith("/api/"):
        problem(response, status)


# ----------------------------------------------------------------- pages


def test_every_page_is_escaped_and_carries_the_content_security_policy(
    client: TestClient, store: Store
) -> None:
    text = (
        'title "<script>alert(\\"pwned\\")</script>"\n'
        "being Derek werewolf\n"
        "ascend Derek Hale\n"
        'share Hale "<img src=x onerror=alert(1)>"\n'
    )
    store.import_chronicle("script", parse_chronicle(text).statements)
    run_id = store_run(store)
    for url in ("/", "/chronicles/script", f"/chronicles/{STORY_NAME}", f"/runs/{run_id}"):
        page = client.get(url)
        assert page.status_code == 200
        assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert "<script>alert" not in page.text and "<img src=x" not in page.text
        scripts = [part.split(">", 1)[0] for part in page.text.split("<script")[1:]]
        assert all(s.startswith(' src="/static/') for s in scripts), scripts
    shown = client.get("/chronicles/script").text
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in shown
    assert "&lt;img src=x onerror=alert(1)&gt;" in shown
    assert (
        "script-src 'self'" in CONTENT_SECURITY_POLICY
        and "unsafe-inline" not in CONTENT_SECURITY_POLICY
    )


def test_the_health_check_answers(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"


@pytest.mark.parametrize(
    "module", ["packlaw.web.reading", "packlaw.web.auth", "packlaw.cli.web_cmds"]
)
def test_the_examples_in_the_web_docstrings_run(module: str) -> None:
    failures, _ = doctest.testmod(importlib.import_module(module))
    assert failures == 0


def test_comments_are_read_from_the_stored_text_with_their_lines() -> None:
    import datetime as dt

    from packlaw.store import ChronicleInfo
    from packlaw.web.reading import read_chronicle

    text = '# the opening\nday 1\nbeing Derek werewolf  # born\nnote "a # in a text"\n#\n'
    info = ChronicleInfo("c", None, 3, 1, dt.datetime.now(dt.UTC))
    read = read_chronicle(info, text)
    assert read.comments == ((1, "the opening"), (3, "born"), (5, ""))
    assert read.chronicle.lines == (2, 3, 4) and read.last_line == 5


@pytest.mark.parametrize(
    "text", ["a\x00b", "\ud800", "\u2028"], ids=["nul", "surrogate", "separator"]
)
def test_texts_a_database_cannot_hold_are_refused_not_a_500(
    client: TestClient, db_url: str, dump_store: Dump, text: str
) -> None:
    before = dump_store(db_url)
    body = (
        '{"lines": ["note \\"'
        + text.encode("unicode_escape").decode().replace("\\x00", "\\u0000")
        + '\\""]}'
    )
    answer = client.post(
        f"/api/chronicles/{STORY_NAME}/events",
        content=body,
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert problem(answer, 422)["line"] == 1  # U+2028: the store refuses control characters
    assert dump_store(db_url) == before


@pytest.mark.parametrize(
    "url",
    [
        "/api/chronicles/a%00b",
        "/api/chronicles/a%00b/world",
        f"/api/chronicles/{STORY_NAME}/world?as=a%00b",
        "/chronicles/a%00b",
        "/api/runs/{run}/daily?metric=a%00b",
        "/runs/{run}?metric=a%00b",
        "/api/chronicles/%ED%A0%80",
    ],
)
def test_names_a_database_cannot_hold_are_not_found_not_a_500(
    client: TestClient, store: Store, url: str
) -> None:
    response = client.get(url.format(run=store_run(store)))
    assert response.status_code in (404, 422), response.text


def test_the_chronicle_page_reads_before_any_script_runs(client: TestClient, store: Store) -> None:
    facts = story_facts(store)
    for line, standing in ((facts.member_line, "member"), (facts.ally_line, "ally")):
        html = client.get(f"/chronicles/{STORY_NAME}", params={"line": line}).text
        row = html.split('<tr data-being="Stiles">', 1)[1].split("</tr>", 1)[0]
        assert f'<td class="standing">{standing}</td>' in row
        assert f"<td>{facts.pack}</td>" in row
        assert f'value="{line}"' in html  # the slider stands at the line
