"""The LRS as an LMS sees it: the `tincan` Python client (xAPI 1.0.x) against a real `lat lrs`."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from tincan import Activity, Agent, RemoteLRS, StateDocument, Statement, StatementList, Verb

from tests.lrs_support import Lrs, credential, start

VERB = "http://adlnet.gov/expapi/verbs/attended"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteLRS]:
    server: Lrs = start(tmp_path_factory.mktemp("lrs-tincan"))
    key, secret = credential(server.home, "lms", "all")
    try:
        yield RemoteLRS(endpoint=server.endpoint, version="1.0.1", username=key, password=secret)
    finally:
        server.stop()


def _statement(mentor: str, meeting: int) -> Statement:
    return Statement(
        actor=Agent(name="Mentor", mbox=f"mailto:{mentor}@hub.example.org"),
        verb=Verb(id=VERB, display={"en-US": "attended"}),
        object=Activity(id=f"http://hub.example.org/meetings/{meeting}"),
    )


def test_save_one_statement_and_fetch_it_by_id(client: RemoteLRS) -> None:
    saved = client.save_statement(_statement("anna", 1))
    assert saved.success, saved.data
    sid = saved.content.id
    fetched = client.retrieve_statement(sid)
    assert fetched.success, fetched.data
    assert str(fetched.content.id) == str(sid)
    assert fetched.content.actor.mbox == "mailto:anna@hub.example.org"
    assert fetched.content.authority is not None and fetched.content.stored is not None


def test_save_a_batch_then_query_by_agent_and_follow_more(client: RemoteLRS) -> None:
    mentor = f"m{uuid.uuid4().hex[:8]}"
    batch = StatementList([_statement(mentor, n) for n in range(5)])
    saved = client.save_statements(batch)
    assert saved.success, saved.data
    assert len(saved.content) == 5
    agent = Agent(mbox=f"mailto:{mentor}@hub.example.org")
    result = client.query_statements({"agent": agent, "verb": Verb(id=VERB), "limit": 2})
    assert result.success, result.data
    found = [str(s.id) for s in result.content.statements]
    while result.content.more:
        result = client.more_statements(result.content)
        assert result.success, result.data
        found += [str(s.id) for s in result.content.statements]
    assert sorted(found) == sorted(str(s.id) for s in saved.content)


def test_save_and_fetch_state(client: RemoteLRS) -> None:
    agent = Agent(mbox="mailto:anna@hub.example.org")
    activity = Activity(id="http://hub.example.org/action-plans/7")
    document = StateDocument(id="progress", agent=agent, activity=activity, content='{"step": 3}', content_type="application/json")
    saved = client.save_state(document)
    assert saved.success, saved.data
    fetched = client.retrieve_state(activity=activity, agent=agent, state_id="progress")
    assert fetched.success, fetched.data
    assert fetched.content.content == b'{"step": 3}'
    # (tincan 1.0.0 never reads ETag: it looks for "etag" in getheaders()'s list of pairs)
    deleted = client.delete_state(document)
    assert deleted.success, deleted.data
    assert client.retrieve_state(activity=activity, agent=agent, state_id="progress").response.status == 404
