//! The channels under test, behind one small interface: crossbeam-channel (`unbounded`,
//! `bounded`) and std::sync::mpsc (`channel`, `sync_channel`). Every call answers with an
//! `Outcome`; a call that the library does not offer answers `Absent`, without doing anything.

use crossbeam_channel as cb;
use std::sync::mpsc;
use std::sync::Mutex;
use std::time::Duration;

use crate::json::quote;

/// The message type: its destructor logs its value, so the runner can tell which messages the
/// channel destroyed and when. A message handed back to the caller (received, or returned inside
/// a send error) is reclaimed with `reclaim` and does not count as destroyed.
pub struct Msg(pub i64);

static DESTROYED: Mutex<Vec<i64>> = Mutex::new(Vec::new());

impl Drop for Msg {
    fn drop(&mut self) {
        DESTROYED
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
            .push(self.0);
    }
}

/// The value of a message handed back to the caller; the message is not destroyed.
fn reclaim(message: Msg) -> i64 {
    let value = message.0;
    std::mem::forget(message);
    value
}

/// The messages destroyed since the last call, in destruction order.
pub fn take_destroyed() -> Vec<i64> {
    std::mem::take(&mut *DESTROYED.lock().unwrap_or_else(|poison| poison.into_inner()))
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Library {
    Crossbeam,
    Std,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Side {
    Tx,
    Rx,
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::Tx => "tx",
            Side::Rx => "rx",
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub enum Mode {
    Try,
    Block,
    Timed(Duration),
}

#[derive(Clone, Copy, Debug)]
pub enum Query {
    Len,
    IsEmpty,
    IsFull,
    Capacity,
}

pub enum Sender {
    Crossbeam(cb::Sender<Msg>),
    StdUnbounded(mpsc::Sender<Msg>),
    StdBounded(mpsc::SyncSender<Msg>),
}

pub enum Receiver {
    Crossbeam(cb::Receiver<Msg>),
    Std(mpsc::Receiver<Msg>),
}

/// A handle of either side, as it moves into the thread that makes a (possibly blocking) call.
pub enum AnyHandle {
    Tx(Sender),
    Rx(Receiver),
}

/// A borrowed handle of either side, for the calls that only look.
#[derive(Clone, Copy)]
pub enum HandleView<'a> {
    Tx(&'a Sender),
    Rx(&'a Receiver),
}

/// What a call returned, as the protocol prints it.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    Sent,
    Received(i64),
    Empty,
    Full(i64),
    Disconnected(Option<i64>),
    Timeout(Option<i64>),
    Count(usize),
    Flag(bool),
    Capacity(Option<usize>),
    Handle(usize, Side, usize),
    Opened(usize),
    Closed,
    /// The library refuses the call by design (cloning a std receiver).
    Unsupported(String),
    /// The library has no such call at all.
    Absent(String),
    /// The call had not returned when the runner stopped waiting: its thread is parked in it.
    Blocked,
    /// The script asked something meaningless (a bug of whoever wrote it).
    Error(String),
}

impl Outcome {
    pub fn to_json(&self) -> String {
        let message = |m: &Option<i64>| m.map_or("null".to_string(), |v| v.to_string());
        match self {
            Outcome::Sent => "\"sent\"".to_string(),
            Outcome::Received(m) => format!("{{\"received\":{m}}}"),
            Outcome::Empty => "\"empty\"".to_string(),
            Outcome::Full(m) => format!("{{\"full\":{m}}}"),
            Outcome::Disconnected(m) => format!("{{\"disconnected\":{}}}", message(m)),
            Outcome::Timeout(m) => format!("{{\"timeout\":{}}}", message(m)),
            Outcome::Count(n) => format!("{{\"value\":{n}}}"),
            Outcome::Flag(b) => format!("{{\"value\":{b}}}"),
            Outcome::Capacity(c) => format!("{{\"value\":{}}}", c.map_or("null".to_string(), |v| v.to_string())),
            Outcome::Handle(c, side, s) => format!("{{\"handle\":[{c},\"{}\",{s}]}}", side.name()),
            Outcome::Opened(c) => format!("{{\"opened\":{c}}}"),
            Outcome::Closed => "\"closed\"".to_string(),
            Outcome::Unsupported(why) => format!("{{\"unsupported\":{}}}", quote(why)),
            Outcome::Absent(why) => format!("{{\"absent\":{}}}", quote(why)),
            Outcome::Blocked => "\"blocked\"".to_string(),
            Outcome::Error(why) => format!("{{\"error\":{}}}", quote(why)),
        }
    }
}

/// `unbounded()`/`bounded(n)` for crossbeam, `channel()`/`sync_channel(n)` for std.
pub fn open(library: Library, capacity: Option<usize>) -> (Sender, Receiver) {
    match (library, capacity) {
        (Library::Crossbeam, None) => {
            let (tx, rx) = cb::unbounded();
            (Sender::Crossbeam(tx), Receiver::Crossbeam(rx))
        }
        (Library::Crossbeam, Some(n)) => {
            let (tx, rx) = cb::bounded(n);
            (Sender::Crossbeam(tx), Receiver::Crossbeam(rx))
        }
        (Library::Std, None) => {
            let (tx, rx) = mpsc::channel();
            (Sender::StdUnbounded(tx), Receiver::Std(rx))
        }
        (Library::Std, Some(n)) => {
            let (tx, rx) = mpsc::sync_channel(n);
            (Sender::StdBounded(tx), Receiver::Std(rx))
        }
    }
}

/// Why `sender` has no send call in `mode`, if it has none.
pub fn send_absent(sender: &Sender, mode: Mode) -> Option<String> {
    match (sender, mode) {
        (Sender::StdUnbounded(_), Mode::Try) => Some("std::sync::mpsc::Sender has no try_send".to_string()),
        (Sender::StdUnbounded(_), Mode::Timed(_)) => Some("std::sync::mpsc::Sender has no send_timeout".to_string()),
        (Sender::StdBounded(_), Mode::Timed(_)) => {
            Some("std::sync::mpsc::SyncSender::send_timeout is not stable".to_string())
        }
        _ => None,
    }
}

pub fn send(sender: &Sender, value: i64, mode: Mode) -> Outcome {
    if let Some(why) = send_absent(sender, mode) {
        return Outcome::Absent(why);
    }
    let message = Msg(value);
    match (sender, mode) {
        (Sender::Crossbeam(tx), Mode::Try) => match tx.try_send(message) {
            Ok(()) => Outcome::Sent,
            Err(cb::TrySendError::Full(m)) => Outcome::Full(reclaim(m)),
            Err(cb::TrySendError::Disconnected(m)) => Outcome::Disconnected(Some(reclaim(m))),
        },
        (Sender::Crossbeam(tx), Mode::Block) => match tx.send(message) {
            Ok(()) => Outcome::Sent,
            Err(cb::SendError(m)) => Outcome::Disconnected(Some(reclaim(m))),
        },
        (Sender::Crossbeam(tx), Mode::Timed(timeout)) => match tx.send_timeout(message, timeout) {
            Ok(()) => Outcome::Sent,
            Err(cb::SendTimeoutError::Timeout(m)) => Outcome::Timeout(Some(reclaim(m))),
            Err(cb::SendTimeoutError::Disconnected(m)) => Outcome::Disconnected(Some(reclaim(m))),
        },
        (Sender::StdUnbounded(tx), _) => match tx.send(message) {
            Ok(()) => Outcome::Sent,
            Err(mpsc::SendError(m)) => Outcome::Disconnected(Some(reclaim(m))),
        },
        (Sender::StdBounded(tx), Mode::Try) => match tx.try_send(message) {
            Ok(()) => Outcome::Sent,
            Err(mpsc::TrySendError::Full(m)) => Outcome::Full(reclaim(m)),
            Err(mpsc::TrySendError::Disconnected(m)) => Outcome::Disconnected(Some(reclaim(m))),
        },
        (Sender::StdBounded(tx), _) => match tx.send(message) {
            Ok(()) => Outcome::Sent,
            Err(mpsc::SendError(m)) => Outcome::Disconnected(Some(reclaim(m))),
        },
    }
}

pub fn recv(receiver: &Receiver, mode: Mode) -> Outcome {
    match (receiver, mode) {
        (Receiver::Crossbeam(rx), Mode::Try) => match rx.try_recv() {
            Ok(m) => Outcome::Received(reclaim(m)),
            Err(cb::TryRecvError::Empty) => Outcome::Empty,
            Err(cb::TryRecvError::Disconnected) => Outcome::Disconnected(None),
        },
        (Receiver::Crossbeam(rx), Mode::Block) => match rx.recv() {
            Ok(m) => Outcome::Received(reclaim(m)),
            Err(cb::RecvError) => Outcome::Disconnected(None),
        },
        (Receiver::Crossbeam(rx), Mode::Timed(timeout)) => match rx.recv_timeout(timeout) {
            Ok(m) => Outcome::Received(reclaim(m)),
            Err(cb::RecvTimeoutError::Timeout) => Outcome::Timeout(None),
            Err(cb::RecvTimeoutError::Disconnected) => Outcome::Disconnected(None),
        },
        (Receiver::Std(rx), Mode::Try) => match rx.try_recv() {
            Ok(m) => Outcome::Received(reclaim(m)),
            Err(mpsc::TryRecvError::Empty) => Outcome::Empty,
            Err(mpsc::TryRecvError::Disconnected) => Outcome::Disconnected(None),
        },
        (Receiver::Std(rx), Mode::Block) => match rx.recv() {
            Ok(m) => Outcome::Received(reclaim(m)),
            Err(mpsc::RecvError) => Outcome::Disconnected(None),
        },
        (Receiver::Std(rx), Mode::Timed(timeout)) => match rx.recv_timeout(timeout) {
            Ok(m) => Outcome::Received(reclaim(m)),
            Err(mpsc::RecvTimeoutError::Timeout) => Outcome::Timeout(None),
            Err(mpsc::RecvTimeoutError::Disconnected) => Outcome::Disconnected(None),
        },
    }
}

pub fn clone_sender(sender: &Sender) -> Sender {
    match sender {
        Sender::Crossbeam(tx) => Sender::Crossbeam(tx.clone()),
        Sender::StdUnbounded(tx) => Sender::StdUnbounded(tx.clone()),
        Sender::StdBounded(tx) => Sender::StdBounded(tx.clone()),
    }
}

/// A clone of `receiver`, or why the library refuses one.
pub fn clone_receiver(receiver: &Receiver) -> Result<Receiver, String> {
    match receiver {
        Receiver::Crossbeam(rx) => Ok(Receiver::Crossbeam(rx.clone())),
        Receiver::Std(_) => Err("std::sync::mpsc::Receiver does not implement Clone".to_string()),
    }
}

pub fn inspect(handle: HandleView<'_>, query: Query) -> Outcome {
    let answer = |len: usize, empty: bool, full: bool, capacity: Option<usize>| match query {
        Query::Len => Outcome::Count(len),
        Query::IsEmpty => Outcome::Flag(empty),
        Query::IsFull => Outcome::Flag(full),
        Query::Capacity => Outcome::Capacity(capacity),
    };
    match handle {
        HandleView::Tx(Sender::Crossbeam(tx)) => answer(tx.len(), tx.is_empty(), tx.is_full(), tx.capacity()),
        HandleView::Rx(Receiver::Crossbeam(rx)) => answer(rx.len(), rx.is_empty(), rx.is_full(), rx.capacity()),
        _ => Outcome::Absent("std::sync::mpsc handles have no len/is_empty/is_full/capacity".to_string()),
    }
}

/// crossbeam's `same_channel` compares two handles of one side.
pub fn same_channel(first: HandleView<'_>, second: HandleView<'_>) -> Outcome {
    match (first, second) {
        (HandleView::Tx(Sender::Crossbeam(a)), HandleView::Tx(Sender::Crossbeam(b))) => {
            Outcome::Flag(a.same_channel(b))
        }
        (HandleView::Rx(Receiver::Crossbeam(a)), HandleView::Rx(Receiver::Crossbeam(b))) => {
            Outcome::Flag(a.same_channel(b))
        }
        (HandleView::Tx(Sender::Crossbeam(_)), _) | (HandleView::Rx(Receiver::Crossbeam(_)), _) => {
            Outcome::Error("same_channel compares two handles of the same side".to_string())
        }
        _ => Outcome::Absent("std::sync::mpsc handles have no same_channel".to_string()),
    }
}
