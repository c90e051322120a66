"""The windows of an asynchronous exception that are still open, one reason each.

:mod:`.test_windows` injects an exception at exactly the line each names and
expects a clean verdict, strictly ``xfail`` until the window is closed. The
reasons live here, together, so the list is one page to read. Each names the
line by function and text, the damage, and the fix that would narrow it (none
of them can be closed against a trace hook that raises: see
``docs/reliability.md``, "The measured windows").
"""

from __future__ import annotations

REFERENCE_LOCK_LEFT_HELD = (
    "reference/_state.py critical(): an exception between LOCK.acquire() and the try: that follows (or in "
    "_leave() before LOCK.release()) leaves the lock of every reference channel held: every later call on any "
    "reference channel blocks for ever. Fix: take the lock with 'with LOCK:' (CPython does not run signal "
    "handlers between a with statement's __enter__ and its block, nor can a line trace hook raise there)"
)

REFERENCE_CLOSE_HALF_DONE = (
    "reference/_state.py release(): an exception between 'end.closed = True' and 'channel.senders -= 1' (or "
    "'receivers -= 1') marks the handle closed but leaves it counted: the channel never disconnects (receivers "
    "wait for ever). Fix: make the close one step, e.g. count the open ends in a set (closing is set.discard, "
    "closed is 'end not in channel.open_ends')"
)

REFERENCE_CLONE_COUNTED_TWICE = (
    "reference/_handles.py _clone_end(): an exception after 'channel.senders += 1' and before the new End is "
    "returned counts a handle nobody holds: the channel never disconnects. Fix: build the handle first and count "
    "it last (its finalizer then uncounts it if the exception comes after), or the set of open ends above"
)

IMPL_LOCK_LEFT_HELD = (
    "impl (every 'lock.acquire()' followed by 'try: ... finally: lock.release()', e.g. _zero.py "
    "ZeroChannel.send): an exception between the acquire and the try, or in the finally before "
    "lock.release(), leaves the channel's lock held: every later call on the channel blocks for ever. "
    "Fix: 'with self.lock:' for the critical section, then apply the deferred closes after it"
)

IMPL_WAKE_UP_LOST = (
    "impl/_unbounded.py UnboundedSender.send: an exception after 'self._queue.append(message)' and before "
    "'chan.after_append()' leaves a parked receiver asleep while the message sits in the buffer, until some "
    "later send wakes it. Fix: wake in a 'finally' that runs whenever the append may have happened"
)

IMPL_HAND_OFF_STRANDED = (
    "impl/_zero.py ZeroChannel.send (and the bounded hand-off, complete_senders_locked): an exception after "
    "WaitQueue.hand_over() reserved a parked receiver's token and before 'receiver.token.wake()' leaves that "
    "receiver asleep for ever, holding the message in its token; closing its handle cannot wake it (its entry "
    "is gone from the queue). Fix: wake the reserved token in a 'finally'"
)

FINALIZER_CLOSE_LOST = (
    "impl/_core.py _close_from_finalizer (and chanspec/handles.py _Handle.__del__ for the reference): an "
    "exception in a finalizer (a signal handler's, swallowed as 'unraisable') before the close is queued loses "
    "the close: the handle stays counted, so the channel never disconnects. The close now comes before the "
    "ResourceWarning, so a warning filter that raises no longer loses it; the line before the queueing remains"
)
