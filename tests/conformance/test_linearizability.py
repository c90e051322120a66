"""The linearizability checker on hand-built histories: what it accepts, what it rejects and
how it explains a rejection, and its three-valued answer."""

from __future__ import annotations

import pytest
from chanspec.conformance.calls import Raised
from chanspec.conformance.linearizability import Budget, Judgement, Verdict, check
from chanspec.spec import (
    Clone,
    Close,
    Disconnected,
    Empty,
    HandleClosed,
    Inspect,
    Mode,
    Query,
    Received,
    Recv,
    Send,
    Sent,
    Timeout,
    Value,
    rx,
    tx,
)

from .support import Script


def judged(script: Script, budget: Budget | None = None) -> Judgement:
    return check(script.history(), budget)


def assert_ok(script: Script) -> None:
    judgement = judged(script)
    assert judgement.verdict is Verdict.OK, str(judgement)


def assert_violation(script: Script) -> str:
    judgement = judged(script)
    assert judgement.verdict is Verdict.VIOLATION, str(judgement)
    assert judgement.violation is not None
    return str(judgement.violation)


# Explained histories ------------------------------------------------------------------------


def test_a_sequential_history_is_explained_with_a_witness() -> None:
    script = (
        Script(None)
        .call(0, Send(tx(0), "a"), 0, 10, Sent())
        .call(0, Send(tx(0), "b"), 20, 30, Sent())
        .call(1, Recv(rx(0)), 40, 50, Received("a"))
        .call(1, Recv(rx(0), Mode.TRY), 60, 70, Received("b"))
        .call(1, Recv(rx(0), Mode.TRY), 80, 90, Empty())
    )
    judgement = judged(script)
    assert judgement.verdict is Verdict.OK
    assert [line.split(" ", 1)[0] for line in judgement.witness] == ["#0", "#1", "#2", "#3", "#4"]


@pytest.mark.parametrize("first", ["a", "b"])
def test_concurrent_sends_may_be_received_in_either_order(first: str) -> None:
    second = "b" if first == "a" else "a"
    script = (
        Script(2)
        .call(0, Send(tx(0), "a"), 0, 20, Sent())
        .call(1, Send(tx(0), "b"), 5, 25, Sent())
        .call(2, Recv(rx(0)), 30, 40, Received(first))
        .call(2, Recv(rx(0)), 50, 60, Received(second))
    )
    assert_ok(script)


def test_a_blocked_receive_is_completed_by_a_later_send() -> None:
    script = (
        Script(1)
        .call(1, Recv(rx(0)), 0, 100, Received("a"))
        .call(0, Send(tx(0), "a", Mode.TRY), 40, 50, Sent())
        .quiet(20)
    )
    assert_ok(script)


def test_a_rendezvous_completes_two_overlapping_calls() -> None:
    script = (
        Script(0)
        .call(0, Send(tx(0), "a"), 0, 50, Sent())
        .call(1, Recv(rx(0), Mode.TIMED), 20, 60, Received("a"), deadline=40)
        .call(2, Inspect(rx(0), Query.LEN), 25, 30, Value(0))
    )
    assert_ok(script)


@pytest.mark.parametrize(
    ("arrives", "taken"),
    [((60, 70), None), ((5, 10), (30, 40))],
    ids=["message-arrives-after-the-deadline", "message-taken-by-another-thread"],
)
def test_a_timeout_is_allowed_when_the_call_could_not_complete_after_its_deadline(
    arrives: tuple[int, int], taken: tuple[int, int] | None
) -> None:
    script = Script(None).call(0, Send(tx(0), "a"), *arrives, Sent())
    script.call(1, Recv(rx(0), Mode.TIMED), 0, 80, Timeout(), deadline=50)
    if taken is not None:
        script.call(2, Recv(rx(0), Mode.TRY), *taken, Received("a"))
    else:
        script.call(2, Recv(rx(0), Mode.TRY), 90, 95, Received("a"))
    assert_ok(script)


def test_clones_get_the_names_the_history_gave_them_whatever_order_they_took_effect() -> None:
    script = (
        Script(None)
        .call(0, Clone(tx(0)), 0, 20, Value(tx(0, 2)))
        .call(1, Clone(tx(0)), 5, 25, Value(tx(0, 1)))
        .call(0, Send(tx(0, 2), "a", Mode.TRY), 30, 40, Sent())
        .call(1, Close(tx(0, 1)), 30, 40, Value(None))
        .call(1, Send(tx(0, 1), "b", Mode.TRY), 50, 60, HandleClosed("b"))
        .call(2, Recv(rx(0), Mode.TRY), 70, 80, Received("a"))
    )
    assert_ok(script)


def test_a_call_that_never_returned_may_have_taken_effect() -> None:
    script = Script(None).call(0, Send(tx(0), "a"), 0).call(1, Recv(rx(0), Mode.TRY), 10, 20, Received("a"))
    assert_ok(script)


def test_a_receive_blocked_at_a_quiet_moment_with_nothing_to_receive_is_fine() -> None:
    script = Script(1).call(1, Recv(rx(0)), 0).quiet(50)
    assert_ok(script)


# Violations ------------------------------------------------------------------------------------


def test_a_lost_message_is_a_violation() -> None:
    report = assert_violation(
        Script(None)
        .call(0, Send(tx(0), "a"), 0, 10, Sent())
        .call(0, Close(tx(0)), 20, 30, Value(None))
        .call(1, Recv(rx(0)), 40, 50, Disconnected())
    )
    assert "Disconnected" in report and "Received('a')" in report


def test_a_duplicated_message_is_a_violation() -> None:
    report = assert_violation(
        Script(None)
        .call(0, Send(tx(0), "a"), 0, 10, Sent())
        .call(1, Recv(rx(0)), 20, 30, Received("a"))
        .call(2, Recv(rx(0), Mode.TRY), 40, 50, Received("a"))
    )
    assert "#2" in report.splitlines()[0]


def test_messages_out_of_fifo_order_are_a_violation() -> None:
    assert_violation(
        Script(2)
        .call(0, Send(tx(0), "a"), 0, 10, Sent())
        .call(0, Send(tx(0), "b"), 20, 30, Sent())
        .call(1, Recv(rx(0)), 40, 50, Received("b"))
        .call(1, Recv(rx(0)), 60, 70, Received("a"))
    )


def test_a_timeout_while_a_message_sat_in_the_buffer_throughout_is_a_violation() -> None:
    report = assert_violation(
        Script(None)
        .call(0, Send(tx(0), "a"), 0, 10, Sent())
        .call(1, Recv(rx(0), Mode.TIMED), 20, 80, Timeout(), deadline=50)
        .call(2, Recv(rx(0), Mode.TRY), 90, 95, Received("a"))
    )
    assert "Timeout" in report and "Received('a')" in report


def test_empty_while_a_message_was_buffered_throughout_is_a_violation() -> None:
    report = assert_violation(
        Script(3)
        .call(0, Send(tx(0), "a", Mode.TRY), 0, 10, Sent())
        .call(1, Recv(rx(0), Mode.TRY), 20, 30, Empty())
    )
    assert "Received('a')" in report


def test_empty_is_fine_while_the_send_is_still_in_progress() -> None:
    assert_ok(
        Script(3).call(0, Send(tx(0), "a", Mode.TRY), 0, 30, Sent()).call(1, Recv(rx(0), Mode.TRY), 10, 20, Empty())
    )


def test_a_blocked_receive_that_never_returns_although_a_message_arrived_is_a_missed_wake_up() -> None:
    report = assert_violation(
        Script(1).call(1, Recv(rx(0)), 0).call(0, Send(tx(0), "a", Mode.TRY), 10, 20, Sent()).quiet(100)
    )
    assert report.startswith("violation: missed wake-up")
    assert "T1 in c0.rx0.recv()" in report


def test_a_sender_and_a_receiver_both_blocked_at_a_rendezvous_is_a_violation() -> None:
    report = assert_violation(Script(0).call(0, Send(tx(0), "a"), 0).call(1, Recv(rx(0)), 10).quiet(100))
    assert "quiet moment" in report


def test_a_timed_call_still_blocked_long_after_its_deadline_is_a_violation() -> None:
    report = assert_violation(Script(1).call(1, Recv(rx(0), Mode.TIMED), 0, deadline=10).quiet(100, quiet=50))
    assert "did not return at its deadline" in report


def test_a_rendezvous_without_overlap_is_a_violation() -> None:
    assert_violation(
        Script(0).call(0, Send(tx(0), "a"), 0, 10, Sent()).call(1, Recv(rx(0)), 20, 30, Received("a"))
    )


def test_an_exception_the_specification_does_not_know_is_a_violation() -> None:
    report = assert_violation(Script(None).call(0, Recv(rx(0), Mode.TRY), 0, 10, Raised("RuntimeError", "boom")))
    assert "RuntimeError" in report and "Empty" in report


def test_the_report_shows_the_shortest_failing_prefix_and_one_lane_per_thread() -> None:
    script = Script(None)
    for n in range(10):
        script.call(0, Send(tx(0), f"m{n}"), 100 * n, 100 * n + 30, Sent())
        script.call(1, Recv(rx(0)), 100 * n + 40, 100 * n + 80, Received(f"m{n}"))
    script.call(0, Send(tx(0), "x"), 950, 960, Sent())
    script.call(2, Recv(rx(0), Mode.TRY), 1000, 1010, Empty())  # "x" is there all along
    script.call(1, Recv(rx(0)), 1100, 1150, Received("x"))
    for n in range(10, 15):
        script.call(0, Send(tx(0), f"m{n}"), 100 * n + 20, 100 * n + 50, Sent())
    violation = judged(script).violation
    assert violation is not None
    assert (violation.prefix_calls, violation.total_calls, violation.minimal) == (22, 28, True)
    assert violation.culprits == (21,)
    assert violation.headline == "#21 T2 c0.rx0.try_recv() returned Empty; the specification allows Received('x')"
    lanes = [line for line in violation.picture.splitlines() if line.startswith("T")]
    assert [line.split()[0] for line in lanes] == ["T0", "T1", "T2"]
    assert "shortest failing prefix: the first 22 of 28 calls" in str(violation)


def _send_outliving_its_closed_handle(close_at: int) -> Script:
    """A full bounded(1) channel; T1 blocks sending "b" on a clone that T0 closes at ``close_at``;
    the send returns Sent at 60, and "b" is received after "a"."""
    script = Script(1)
    script.call(0, Clone(tx(0)), 0, 5, Value(tx(0, 1)))
    script.call(7, Recv(rx(0)), 10)  # blocked for ever
    script.call(0, Send(tx(0), "a", Mode.TRY), 20, 21, Sent())
    script.call(1, Send(tx(0, 1), "b"), 30, 60, Sent())
    script.call(0, Close(tx(0, 1)), close_at, close_at + 1, Value(None))
    script.call(3, Recv(rx(0)), 45, 90, Received("a"))
    script.call(2, Recv(rx(0), Mode.TRY), 70, 75, Received("b"))
    return script


def test_a_call_that_outlives_a_close_of_its_handle_is_named_as_the_possible_cause() -> None:
    report = assert_violation(_send_outliving_its_closed_handle(close_at=40))
    assert (
        "possible cause: #4 T0 c0.tx1.close() while #3 T1 c0.tx1.send('b') was in progress on that handle, "
        "and #3 returned Sent afterwards" in report
    ), report
    assert "#4" in report.split("\n\n", 1)[1]  # the close is drawn in the picture
    assert_ok(_send_outliving_its_closed_handle(close_at=62))  # closed after the send returned: fine


@pytest.mark.parametrize(
    ("receipts", "headline"),
    [
        (["b", "a"], "messages out of order: 'a' was sent before 'b'"),
        (["b", None], "lost message: 'a' was sent (#0) before 'b' (#1), 'b' was received (#2), but 'a' never was"),
        (["a", "a"], "duplicated message: 'a' was sent once (#0) but received twice (#2, #3)"),
        (["c", None], "#2 T1 received 'c', which no call had handed over"),
    ],
    ids=["fifo", "lost", "duplicated", "never-sent"],
)
def test_unique_messages_make_some_violations_plain_without_a_search(
    receipts: list[str | None], headline: str
) -> None:
    script = Script(2).call(0, Send(tx(0), "a"), 0, 10, Sent()).call(0, Send(tx(0), "b"), 20, 30, Sent())
    for n, message in enumerate(receipts):
        if message is not None:
            script.call(1, Recv(rx(0)), 40 + 20 * n, 50 + 20 * n, Received(message))
    judgement = judged(script)
    assert judgement.states == 0
    assert judgement.violation is not None
    assert judgement.violation.headline.startswith(headline)
    assert not judgement.violation.minimal and "failing prefix: the first" in str(judgement.violation)


# The budget ------------------------------------------------------------------------------------


def test_the_answer_is_unknown_when_the_state_budget_runs_out() -> None:
    script = Script(None)
    for n in range(6):
        script.call(n, Send(tx(0), n), 0, 100, Sent())
    for n in range(6):
        script.call(n, Recv(rx(0), Mode.TRY), 200, 300, Received(5 - n))
    judgement = judged(script, Budget(states=3))
    assert judgement.verdict is Verdict.UNKNOWN
    assert judgement.exhausted == "states"
    assert "unknown" in str(judgement) and "states budget" in str(judgement)
