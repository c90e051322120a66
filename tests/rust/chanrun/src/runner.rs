//! Runs one script: a sequence of calls, each made by a numbered logical thread, against one
//! library, and reports what every call returned.
//!
//! Calls that never wait (`try_*`, clone, close, introspection) run on the runner's own thread.
//! A `send`/`recv` that may wait (blocking or timed) runs on a thread of its own, which takes the
//! handle with it (as Rust's borrow rules demand, nobody else can use or drop that handle until
//! the call returns). After each call the runner waits until every such thread has either
//! returned or is parked in the kernel (Linux reports it sleeping) for a settling interval; a call
//! still parked is reported `blocked`, and a later step reports it among the `woken` once it
//! returns. A timed call due within a second is always waited for, so its timeout is reported
//! by the step that made it.

use std::io::Read;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::chan::{self, AnyHandle, HandleView, Library, Mode, Outcome, Query, Receiver, Sender, Side};

/// How long a new waiting call must stay parked (not running at all) before it counts as blocked.
const SETTLE: Duration = Duration::from_millis(1);
/// Where /proc cannot say whether a thread is parked, how long to wait instead.
const SETTLE_WITHOUT_PROC: Duration = Duration::from_millis(50);
const POLL: Duration = Duration::from_micros(50);
/// A timed call due sooner than this is waited for until it returns.
const SHORT_TIMEOUT: Duration = Duration::from_secs(1);
/// No call is waited for longer than this (a runaway call is then reported blocked).
const PATIENCE: Duration = Duration::from_secs(10);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandleRef {
    pub channel: usize,
    pub side: Side,
    pub serial: usize,
}

pub enum Op {
    Open(Option<usize>),
    Send { at: HandleRef, value: i64, mode: Mode },
    Recv { at: HandleRef, mode: Mode },
    Clone(HandleRef),
    Close(HandleRef),
    Inspect(HandleRef, Query),
    SameChannel(HandleRef, HandleRef),
}

pub struct Call {
    pub thread: usize,
    pub op: Op,
}

/// What one call did: its own outcome, the earlier calls that returned meanwhile, and the
/// messages the channels destroyed.
pub struct StepReport {
    pub returned: Outcome,
    pub woken: Vec<(usize, Outcome)>,
    pub destroyed: Vec<i64>,
}

/// After the last call: handles the script left open are dropped, calls still waiting are given
/// a last chance to return (`woken`) or reported `stuck`.
pub struct EndReport {
    pub woken: Vec<(usize, Outcome)>,
    pub stuck: Vec<usize>,
    pub destroyed: Vec<i64>,
}

enum Slot<H> {
    Live(H),
    InUse,
    Closed,
}

#[derive(Default)]
struct Channel {
    senders: Vec<Slot<Sender>>,
    receivers: Vec<Slot<Receiver>>,
}

/// A call running on its own thread.
struct Waiting {
    thread: usize,
    at: HandleRef,
    deadline: Option<Instant>,
    worker: JoinHandle<(AnyHandle, Outcome)>,
    /// The worker's /proc status file (`None` inside: there is no /proc).
    stat: Arc<OnceLock<Option<PathBuf>>>,
    /// Its context-switch count when it was last found parked for good.
    parked_switches: Option<u64>,
    /// Where its status is read into.
    status: Vec<u8>,
}

pub struct Runner {
    library: Library,
    channels: Vec<Channel>,
    waiting: Vec<Waiting>,
}

impl Runner {
    pub fn new(library: Library) -> Self {
        chan::take_destroyed();
        Runner {
            library,
            channels: Vec::new(),
            waiting: Vec::new(),
        }
    }

    pub fn step(&mut self, call: Call) -> StepReport {
        let returned = if self.waiting.iter().any(|w| w.thread == call.thread) {
            Outcome::Error(format!("T{} is blocked and cannot make another call", call.thread))
        } else {
            self.call(call)
        };
        let woken = self.settle();
        StepReport {
            returned,
            woken,
            destroyed: chan::take_destroyed(),
        }
    }

    pub fn end(mut self) -> EndReport {
        self.drop_live_handles();
        let mut woken = Vec::new();
        let mut stuck = Vec::new();
        for waiting in std::mem::take(&mut self.waiting) {
            let limit = Instant::now() + PATIENCE;
            while !waiting.worker.is_finished() && Instant::now() < limit {
                thread::sleep(POLL);
            }
            if waiting.worker.is_finished() {
                let thread = waiting.thread;
                woken.push((thread, self.finish(waiting)));
            } else {
                stuck.push(waiting.thread);
            }
        }
        self.drop_live_handles();
        EndReport {
            woken,
            stuck,
            destroyed: chan::take_destroyed(),
        }
    }

    fn call(&mut self, call: Call) -> Outcome {
        match call.op {
            Op::Open(capacity) => {
                let (tx, rx) = chan::open(self.library, capacity);
                self.channels.push(Channel {
                    senders: vec![Slot::Live(tx)],
                    receivers: vec![Slot::Live(rx)],
                });
                Outcome::Opened(self.channels.len() - 1)
            }
            Op::Send { at, value, mode } => {
                let sender = match self.sender(at) {
                    Ok(sender) => sender,
                    Err(why) => return Outcome::Error(why),
                };
                if let Some(why) = chan::send_absent(sender, mode) {
                    return Outcome::Absent(why);
                }
                if let Mode::Try = mode {
                    return chan::send(sender, value, mode);
                }
                let Slot::Live(sender) =
                    std::mem::replace(&mut self.channels[at.channel].senders[at.serial], Slot::InUse)
                else {
                    unreachable!("checked live above")
                };
                self.start(call.thread, at, mode, move || {
                    let outcome = chan::send(&sender, value, mode);
                    (AnyHandle::Tx(sender), outcome)
                })
            }
            Op::Recv { at, mode } => {
                let receiver = match self.receiver(at) {
                    Ok(receiver) => receiver,
                    Err(why) => return Outcome::Error(why),
                };
                if let Mode::Try = mode {
                    return chan::recv(receiver, mode);
                }
                let Slot::Live(receiver) =
                    std::mem::replace(&mut self.channels[at.channel].receivers[at.serial], Slot::InUse)
                else {
                    unreachable!("checked live above")
                };
                self.start(call.thread, at, mode, move || {
                    let outcome = chan::recv(&receiver, mode);
                    (AnyHandle::Rx(receiver), outcome)
                })
            }
            Op::Clone(at) => self.clone_handle(at),
            Op::Close(at) => self.close(at),
            Op::Inspect(at, query) => match self.view(at) {
                Ok(view) => chan::inspect(view, query),
                Err(why) => Outcome::Error(why),
            },
            Op::SameChannel(first, second) => match (self.view(first), self.view(second)) {
                (Ok(a), Ok(b)) => chan::same_channel(a, b),
                (Err(why), _) | (_, Err(why)) => Outcome::Error(why),
            },
        }
    }

    fn clone_handle(&mut self, at: HandleRef) -> Outcome {
        match at.side {
            Side::Tx => {
                let copy = match self.sender(at) {
                    Ok(sender) => chan::clone_sender(sender),
                    Err(why) => return Outcome::Error(why),
                };
                let senders = &mut self.channels[at.channel].senders;
                senders.push(Slot::Live(copy));
                Outcome::Handle(at.channel, Side::Tx, senders.len() - 1)
            }
            Side::Rx => {
                let copy = match self.receiver(at).map(chan::clone_receiver) {
                    Ok(Ok(receiver)) => receiver,
                    Ok(Err(why)) => return Outcome::Unsupported(why),
                    Err(why) => return Outcome::Error(why),
                };
                let receivers = &mut self.channels[at.channel].receivers;
                receivers.push(Slot::Live(copy));
                Outcome::Handle(at.channel, Side::Rx, receivers.len() - 1)
            }
        }
    }

    /// Drop the handle (Rust's close).
    fn close(&mut self, at: HandleRef) -> Outcome {
        if let Err(why) = self.view(at) {
            return Outcome::Error(why);
        }
        let channel = &mut self.channels[at.channel];
        match at.side {
            Side::Tx => drop(std::mem::replace(&mut channel.senders[at.serial], Slot::Closed)),
            Side::Rx => drop(std::mem::replace(&mut channel.receivers[at.serial], Slot::Closed)),
        }
        Outcome::Closed
    }

    fn start(
        &mut self,
        thread: usize,
        at: HandleRef,
        mode: Mode,
        work: impl FnOnce() -> (AnyHandle, Outcome) + Send + 'static,
    ) -> Outcome {
        let stat = Arc::new(OnceLock::new());
        let own_stat = Arc::clone(&stat);
        let worker = thread::spawn(move || {
            let _ = own_stat.set(own_status_file());
            work()
        });
        let deadline = match mode {
            Mode::Timed(timeout) => Instant::now().checked_add(timeout),
            _ => None,
        };
        let mut waiting = Waiting {
            thread,
            at,
            deadline,
            worker,
            stat,
            parked_switches: None,
            status: Vec::with_capacity(4096),
        };
        if settled_by_returning(&mut waiting) {
            self.finish(waiting)
        } else {
            self.waiting.push(waiting);
            Outcome::Blocked
        }
    }

    /// Collect the waiting calls that have returned; the others stay waiting.
    fn settle(&mut self) -> Vec<(usize, Outcome)> {
        let mut woken = Vec::new();
        for mut waiting in std::mem::take(&mut self.waiting) {
            if settled_by_returning(&mut waiting) {
                let thread = waiting.thread;
                woken.push((thread, self.finish(waiting)));
            } else {
                self.waiting.push(waiting);
            }
        }
        woken.sort_by_key(|(thread, _)| *thread);
        woken
    }

    /// Join a returned call and put its handle back.
    fn finish(&mut self, waiting: Waiting) -> Outcome {
        let at = waiting.at;
        match waiting.worker.join() {
            Ok((handle, outcome)) => {
                let channel = &mut self.channels[at.channel];
                match handle {
                    AnyHandle::Tx(sender) => channel.senders[at.serial] = Slot::Live(sender),
                    AnyHandle::Rx(receiver) => channel.receivers[at.serial] = Slot::Live(receiver),
                }
                outcome
            }
            Err(_) => Outcome::Error("the call panicked".to_string()),
        }
    }

    fn drop_live_handles(&mut self) {
        for channel in &mut self.channels {
            for slot in channel.senders.iter_mut() {
                if let Slot::Live(_) = slot {
                    *slot = Slot::Closed;
                }
            }
            for slot in channel.receivers.iter_mut() {
                if let Slot::Live(_) = slot {
                    *slot = Slot::Closed;
                }
            }
        }
    }

    fn check(&self, at: HandleRef) -> Result<(), String> {
        let channel = self
            .channels
            .get(at.channel)
            .ok_or_else(|| format!("no channel {}", at.channel))?;
        let state = match at.side {
            Side::Tx => channel.senders.get(at.serial).map(slot_state),
            Side::Rx => channel.receivers.get(at.serial).map(slot_state),
        };
        match state {
            None => Err(format!("no handle c{}.{}{}", at.channel, at.side.name(), at.serial)),
            Some("live") => Ok(()),
            Some(state) => Err(format!(
                "handle c{}.{}{} is {state}",
                at.channel,
                at.side.name(),
                at.serial
            )),
        }
    }

    fn sender(&self, at: HandleRef) -> Result<&Sender, String> {
        match self.view(at)? {
            HandleView::Tx(sender) => Ok(sender),
            HandleView::Rx(_) => Err("a receiver cannot send".to_string()),
        }
    }

    fn receiver(&self, at: HandleRef) -> Result<&Receiver, String> {
        match self.view(at)? {
            HandleView::Rx(receiver) => Ok(receiver),
            HandleView::Tx(_) => Err("a sender cannot receive".to_string()),
        }
    }

    fn view(&self, at: HandleRef) -> Result<HandleView<'_>, String> {
        self.check(at)?;
        let channel = &self.channels[at.channel];
        match at.side {
            Side::Tx => match &channel.senders[at.serial] {
                Slot::Live(sender) => Ok(HandleView::Tx(sender)),
                _ => unreachable!("checked live"),
            },
            Side::Rx => match &channel.receivers[at.serial] {
                Slot::Live(receiver) => Ok(HandleView::Rx(receiver)),
                _ => unreachable!("checked live"),
            },
        }
    }
}

fn slot_state<H>(slot: &Slot<H>) -> &'static str {
    match slot {
        Slot::Live(_) => "live",
        Slot::InUse => "in use by a waiting call",
        Slot::Closed => "closed",
    }
}

/// Wait until the call has returned (true) or is parked for good (false).
///
/// A worker is parked for good when Linux shows it sleeping and it has not run since: the
/// kernel marks a thread runnable the moment another wakes it, and counts a context switch
/// whenever it sleeps again. So a worker seen parked after the previous call, still sleeping
/// with the same count, was not woken by this one; a new call must stay so for `SETTLE`.
fn settled_by_returning(waiting: &mut Waiting) -> bool {
    let start = Instant::now();
    let due_soon = waiting
        .deadline
        .filter(|due| due.saturating_duration_since(start) < SHORT_TIMEOUT);
    let limit = due_soon.unwrap_or(start) + PATIENCE;
    let mut asleep_since: Option<(Instant, Option<u64>)> = None;
    loop {
        if waiting.worker.is_finished() {
            return true;
        }
        let now = Instant::now();
        if now >= limit {
            return false;
        }
        if due_soon.is_none() {
            match sample(waiting) {
                Sample::Starting | Sample::Running => asleep_since = None,
                Sample::Asleep(switches) => {
                    if switches.is_some() && switches == waiting.parked_switches {
                        return false;
                    }
                    let settle = if switches.is_some() {
                        SETTLE
                    } else {
                        SETTLE_WITHOUT_PROC
                    };
                    match asleep_since {
                        Some((since, seen)) if seen == switches => {
                            if now.duration_since(since) >= settle {
                                waiting.parked_switches = switches;
                                return false;
                            }
                        }
                        _ => asleep_since = Some((now, switches)),
                    }
                }
            }
        }
        if now.duration_since(start) < Duration::from_micros(100) {
            thread::yield_now();
        } else {
            thread::sleep(POLL);
        }
    }
}

enum Sample {
    /// The worker has not yet said where its /proc entry is.
    Starting,
    Running,
    /// Sleeping in the kernel, with its context-switch count (`None`: no /proc to ask).
    Asleep(Option<u64>),
}

fn sample(waiting: &mut Waiting) -> Sample {
    let Some(path) = waiting.stat.get() else {
        return Sample::Starting;
    };
    let Some(path) = path else { return Sample::Asleep(None) };
    // Read into a buffer kept from call to call: the runner must not take the allocator's lock
    // while a worker may need it, or the worker would look parked.
    let buffer = &mut waiting.status;
    buffer.clear();
    if std::fs::File::open(path)
        .and_then(|mut file| file.read_to_end(buffer))
        .is_err()
    {
        return Sample::Running;
    }
    let mut asleep = false;
    let mut switches = 0u64;
    for line in buffer.split(|&byte| byte == b'\n') {
        if let Some(state) = line.strip_prefix(b"State:") {
            asleep = state.trim_ascii_start().starts_with(b"S");
        } else if let Some(count) = line
            .strip_prefix(b"voluntary_ctxt_switches:")
            .or_else(|| line.strip_prefix(b"nonvoluntary_ctxt_switches:"))
        {
            switches += count
                .trim_ascii()
                .iter()
                .fold(0u64, |n, digit| n * 10 + u64::from(digit.wrapping_sub(b'0')));
        }
    }
    if asleep {
        Sample::Asleep(Some(switches))
    } else {
        Sample::Running
    }
}

fn own_status_file() -> Option<PathBuf> {
    let task = std::fs::read_link("/proc/thread-self").ok()?;
    Some(PathBuf::from("/proc").join(task).join("status"))
}
