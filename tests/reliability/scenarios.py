"""The calls the injection suite interrupts, each set up so that it takes one interesting path.

Each scenario builds a :class:`~.bench.Bench`: the state of the channel before the
call, the partners that wait (or start once the traced call has parked), and the
traced call itself. Together they cover every send, receive, close, clone and
select path of both implementations: fast paths, hand-offs to parked partners,
parking and being woken, timeouts, disconnection, closing a handle another
thread waits on, and the garbage collector's close.
"""

from __future__ import annotations

import math
import time
from typing import Any

from ..channels.helpers import BOUNDED_1, BOUNDED_N, UNBOUNDED, ZERO
from .bench import Bench, idle_case
from .sweep import Scenario

BUFFERED = (UNBOUNDED, BOUNDED_1, BOUNDED_N)
FULLABLE = (BOUNDED_1, BOUNDED_N)
BLOCKING = (BOUNDED_1, ZERO)  # a send can park
ALL = (*BUFFERED, ZERO)
SHORT = 0.02
"""The timeout of the calls that are meant to time out."""


def _send(tx: Any, parcel: Any) -> None:
    tx.send(parcel)


def _recv(rx: Any) -> Any:
    return rx.recv()


# Sending -------------------------------------------------------------------------------------


def send_with_room(bench: Bench) -> None:
    bench.fill(1 if bench.flavour.capacity != 1 else 0)
    bench.trace_send(_send)


def send_to_parked_receiver(bench: Bench) -> None:
    bench.park_receiver()
    bench.trace_send(_send)


def send_to_parked_selecting_receiver(bench: Bench) -> None:
    bench.park_receiver(select=True)
    bench.trace_send(_send)


def send_parks_until_received(bench: Bench) -> None:
    bench.fill_up()
    bench.receiver_later()
    bench.trace_send(_send)


def try_send_full(bench: Bench) -> None:
    bench.fill_up()
    bench.trace_send(lambda tx, parcel: tx.try_send(parcel))


def send_timeout_expires(bench: Bench) -> None:
    bench.fill_up()
    bench.trace_send(lambda tx, parcel: tx.send_timeout(parcel, SHORT))


def send_after_receivers_closed(bench: Bench) -> None:
    bench.rx.close()
    bench.trace_send(_send)


# Receiving -----------------------------------------------------------------------------------


def recv_buffered(bench: Bench) -> None:
    bench.fill(min(2, bench.flavour.capacity or 2))
    bench.trace_recv(_recv)


def recv_frees_slot_for_parked_sender(bench: Bench) -> None:
    bench.fill_up()
    bench.park_sender()
    bench.trace_recv(_recv)


def recv_from_parked_sender(bench: Bench) -> None:
    bench.park_sender()
    bench.trace_recv(_recv)


def recv_from_parked_selecting_sender(bench: Bench) -> None:
    bench.fill_up()
    bench.park_sender(select=True)
    bench.trace_recv(_recv)


def recv_parks_until_sent(bench: Bench) -> None:
    bench.sender_later()
    bench.trace_recv(_recv)


def recv_timeout_expires(bench: Bench) -> None:
    bench.trace_recv(lambda rx: rx.recv_timeout(SHORT))


def try_recv_after_senders_closed(bench: Bench) -> None:
    if bench.flavour.capacity != 0:
        bench.fill(1)
    bench.tx.close()
    bench.trace_recv(lambda rx: rx.try_recv())


# Closing and cloning ------------------------------------------------------------------------


def close_last_sender_wakes_receivers(bench: Bench) -> None:
    bench.park_receiver()
    bench.park_receiver(select=True)
    bench.trace(bench.tx.close)


def close_last_receiver_fails_senders(bench: Bench) -> None:
    bench.fill(2 if bench.flavour.capacity is None else bench.flavour.capacity)
    if bench.flavour.capacity is not None:
        bench.park_sender()
        bench.park_sender(select=True)
    bench.discards = True
    bench.counted_side = "rx"
    bench.trace(bench.rx.close)


def close_a_sender_clone(bench: Bench) -> None:
    clone = bench.sender_clone()
    bench.park_receiver()
    bench.trace(clone.close)


def close_a_receiver_clone(bench: Bench) -> None:
    clone = bench.receiver_clone()
    bench.counted_side = "rx"
    bench.trace(clone.close)


def close_handle_another_thread_waits_on(bench: Bench) -> None:
    partner = bench.park_receiver()
    bench.trace(partner.handle.close)


def close_sender_another_thread_waits_on(bench: Bench) -> None:
    bench.fill_up()
    partner = bench.park_sender()
    bench.trace(partner.handle.close)


def clone_sender(bench: Bench) -> None:
    bench.orphans = True
    bench.trace(bench.tx.clone)


def clone_receiver(bench: Bench) -> None:
    bench.orphans = True
    bench.counted_side = "rx"
    bench.trace(bench.rx.clone)


def finalizer_closes_last_sender(bench: Bench) -> None:
    clone = bench.tx.clone()  # not counted by the oracle: the traced call drops it
    bench.tx.close()
    bench.park_receiver()
    holder = [clone]
    del clone
    bench.orphans = True
    bench.trace(holder.clear)  # the clone's finalizer runs inside the traced call


# Selecting -----------------------------------------------------------------------------------


def _select_recv(bench: Bench, timeout: float | None) -> Any:
    def select(rx: Any) -> Any:
        sel = bench.api.Select(biased=True)
        case = sel.recv(rx)
        never = idle_case(bench.api)
        timer = sel.recv(never)
        op = sel.select() if timeout is None else sel.select_timeout(timeout)
        assert op.index in (case, timer)
        return op.recv(rx)

    return select


def select_recv_ready(bench: Bench) -> None:
    if bench.flavour.capacity == 0:
        bench.park_sender()
    else:
        bench.fill(1)
    bench.trace_recv(_select_recv(bench, None))


def select_recv_parks_until_sent(bench: Bench) -> None:
    bench.sender_later()
    bench.trace_recv(_select_recv(bench, None))


def select_recv_times_out(bench: Bench) -> None:
    bench.trace_recv(_select_recv(bench, SHORT))


def select_send_to_parked_receiver(bench: Bench) -> None:
    bench.park_receiver()

    def select(tx: Any, parcel: Any) -> None:
        sel = bench.api.Select(biased=True)
        case = sel.send(tx, parcel)
        never = idle_case(bench.api)
        sel.recv(never)
        op = sel.select()
        op.send(tx)
        assert op.index == case

    bench.trace_send(select)


def select_send_parks_until_received(bench: Bench) -> None:
    bench.fill_up()
    bench.receiver_later()

    def select(tx: Any, parcel: Any) -> None:
        index, _ = bench.api.select((tx, parcel), idle_case(bench.api), biased=True)
        assert index == 0

    bench.trace_send(select)


def ready_observes_a_send(bench: Bench) -> None:
    bench.sender_later()

    def ready(rx: Any) -> None:
        sel = bench.api.Select(biased=True)
        sel.recv(rx)
        sel.ready()

    bench.trace_recv(ready)
    bench.receiving = False  # ready() takes nothing


def one_call_select_over_two_cases(bench: Bench) -> None:
    if bench.flavour.capacity == 0:
        bench.park_sender()
    else:
        bench.fill(1)
    deadline = time.monotonic() + 60

    def select(rx: Any) -> Any:
        _, value = bench.api.select(rx, bench.api.after(math.inf), timeout=deadline - time.monotonic(), biased=True)
        return value

    bench.trace_recv(select)


SCENARIOS = [
    Scenario("send with room", send_with_room, BUFFERED),
    Scenario("send to a parked receiver", send_to_parked_receiver, ALL),
    Scenario("send to a parked selecting receiver", send_to_parked_selecting_receiver, ALL),
    Scenario("send parks until received", send_parks_until_received, BLOCKING),
    Scenario("try_send on a full channel", try_send_full, (BOUNDED_1, ZERO)),
    Scenario("send_timeout expires", send_timeout_expires, BLOCKING),
    Scenario("send after every receiver closed", send_after_receivers_closed, (UNBOUNDED, BOUNDED_1, ZERO)),
    Scenario("recv of a buffered message", recv_buffered, BUFFERED),
    Scenario("recv frees a slot for a parked sender", recv_frees_slot_for_parked_sender, FULLABLE),
    Scenario("recv from a parked sender", recv_from_parked_sender, (ZERO,)),
    Scenario("recv from a parked selecting sender", recv_from_parked_selecting_sender, (BOUNDED_1, ZERO)),
    Scenario("recv parks until sent", recv_parks_until_sent, ALL),
    Scenario("recv_timeout expires", recv_timeout_expires, (UNBOUNDED, ZERO)),
    Scenario("try_recv after every sender closed", try_recv_after_senders_closed, (UNBOUNDED, BOUNDED_1, ZERO)),
    Scenario("close of the last sender wakes receivers", close_last_sender_wakes_receivers, ALL),
    Scenario("close of the last receiver fails senders", close_last_receiver_fails_senders, ALL),
    Scenario("close of a sender clone", close_a_sender_clone, (UNBOUNDED, ZERO)),
    Scenario("close of a receiver clone", close_a_receiver_clone, (UNBOUNDED, ZERO)),
    Scenario("close of a handle another thread waits on", close_handle_another_thread_waits_on, ALL),
    Scenario("close of a sender another thread waits on", close_sender_another_thread_waits_on, BLOCKING),
    Scenario("clone of a sender", clone_sender, (UNBOUNDED, ZERO)),
    Scenario("clone of a receiver", clone_receiver, (UNBOUNDED, ZERO)),
    Scenario("finalizer closes the last sender", finalizer_closes_last_sender, (UNBOUNDED, BOUNDED_1, ZERO)),
    Scenario("select recv, ready", select_recv_ready, ALL),
    Scenario("select recv parks until sent", select_recv_parks_until_sent, ALL),
    Scenario("select recv times out", select_recv_times_out, (UNBOUNDED, ZERO)),
    Scenario("select send to a parked receiver", select_send_to_parked_receiver, ALL),
    Scenario("one-call select send parks until received", select_send_parks_until_received, BLOCKING),
    Scenario("Select.ready observes a send", ready_observes_a_send, (UNBOUNDED, ZERO)),
    Scenario("one-call select over a receiver and a timer", one_call_select_over_two_cases, (BOUNDED_1, ZERO)),
]
"""Every scenario, with the flavours it is run on."""
