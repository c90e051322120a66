//! chanrun: runs channel operation scripts against the real Rust channels and prints every
//! outcome, so that the Python specification can be compared with them step by step.
//!
//! Input (stdin): one script per line, a JSON object
//!   {"id": 7, "library": "crossbeam" | "std", "calls": [CALL, ...]}
//! where CALL is {"t": THREAD, "op": OP, ...}, a handle is [CHANNEL, "tx" | "rx", SERIAL] and OP is
//!   "open"   with "cap": null (unbounded) | N
//!   "send"   with "h", "msg": INT, "mode": "try" | "block" | "timed", "ms" (timed only)
//!   "recv"   with "h", "mode", "ms" (timed only)
//!   "clone" | "close" | "len" | "is_empty" | "is_full" | "capacity"   with "h"
//!   "same_channel"   with "h" and "other"
//! Output (stdout): one line per script,
//!   {"id": 7, "library": ..., "steps": [{"returned": OUTCOME, "woken": [[THREAD, OUTCOME], ...],
//!    "destroyed": [INT, ...]}, ...], "end": {"woken": [...], "stuck": [THREAD, ...], "destroyed": [...]}}
//! or {"id": 7, "error": "..."} for a line it cannot read.
//! `chanrun --versions` prints the rustc and crossbeam-channel versions it was built with.

mod chan;
mod json;
mod runner;

use std::io::{BufRead, BufWriter, Write};
use std::time::Duration;

use chan::{Library, Mode, Outcome, Query, Side};
use json::{quote, Json};
use runner::{Call, HandleRef, Op, Runner};

fn main() {
    if std::env::args().nth(1).as_deref() == Some("--versions") {
        println!(
            "{{\"rustc\":{},\"crossbeam-channel\":{}}}",
            quote(env!("CHANRUN_RUSTC_VERSION")),
            quote(env!("CHANRUN_CROSSBEAM_VERSION"))
        );
        return;
    }
    let stdin = std::io::stdin();
    let mut out = BufWriter::new(std::io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = line.expect("stdin is readable");
        if line.trim().is_empty() {
            continue;
        }
        let report = match json::parse(&line) {
            Ok(script) => run_script(&script),
            Err(why) => format!("{{\"id\":null,\"error\":{}}}", quote(&why)),
        };
        writeln!(out, "{report}").expect("stdout is writable");
    }
    out.flush().expect("stdout is writable");
}

fn run_script(script: &Json) -> String {
    let id = script.get("id").and_then(Json::as_int).unwrap_or(-1);
    match read_script(script) {
        Ok((library, calls)) => {
            let mut runner = Runner::new(library);
            let steps: Vec<String> = calls.into_iter().map(|call| step_json(runner.step(call))).collect();
            let end = runner.end();
            let library = if library == Library::Std { "std" } else { "crossbeam" };
            format!(
                "{{\"id\":{id},\"library\":\"{library}\",\"steps\":[{}],\"end\":{{\"woken\":{},\"stuck\":{},\"destroyed\":{}}}}}",
                steps.join(","),
                woken_json(&end.woken),
                ints_json(end.stuck.iter().map(|&t| t as i64)),
                ints_json(end.destroyed.iter().copied())
            )
        }
        Err(why) => format!("{{\"id\":{id},\"error\":{}}}", quote(&why)),
    }
}

fn step_json(step: runner::StepReport) -> String {
    format!(
        "{{\"returned\":{},\"woken\":{},\"destroyed\":{}}}",
        step.returned.to_json(),
        woken_json(&step.woken),
        ints_json(step.destroyed.iter().copied())
    )
}

fn woken_json(woken: &[(usize, Outcome)]) -> String {
    let items: Vec<String> = woken.iter().map(|(t, o)| format!("[{t},{}]", o.to_json())).collect();
    format!("[{}]", items.join(","))
}

fn ints_json(values: impl Iterator<Item = i64>) -> String {
    let items: Vec<String> = values.map(|v| v.to_string()).collect();
    format!("[{}]", items.join(","))
}

fn read_script(script: &Json) -> Result<(Library, Vec<Call>), String> {
    let library = match script.get("library").and_then(Json::as_str) {
        Some("crossbeam") => Library::Crossbeam,
        Some("std") => Library::Std,
        other => return Err(format!("unknown library {other:?}")),
    };
    let calls = script
        .get("calls")
        .and_then(Json::as_array)
        .ok_or("a script needs \"calls\"")?;
    let calls = calls.iter().map(read_call).collect::<Result<Vec<_>, _>>()?;
    Ok((library, calls))
}

fn read_call(call: &Json) -> Result<Call, String> {
    let field = |name: &str| call.get(name).ok_or_else(|| format!("a call needs \"{name}\""));
    let int = |name: &str| {
        field(name)?
            .as_int()
            .ok_or_else(|| format!("\"{name}\" must be an integer"))
    };
    let thread = usize::try_from(int("t")?).map_err(|_| "\"t\" must be >= 0")?;
    let op_name = field("op")?.as_str().ok_or("\"op\" must be a string")?;
    let handle = |name: &str| read_handle(field(name)?);
    let op = match op_name {
        "open" => Op::Open(match field("cap")? {
            Json::Null => None,
            cap => Some(
                cap.as_int()
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or("bad capacity")?,
            ),
        }),
        "send" => Op::Send {
            at: handle("h")?,
            value: int("msg")?,
            mode: read_mode(call)?,
        },
        "recv" => Op::Recv {
            at: handle("h")?,
            mode: read_mode(call)?,
        },
        "clone" => Op::Clone(handle("h")?),
        "close" => Op::Close(handle("h")?),
        "len" => Op::Inspect(handle("h")?, Query::Len),
        "is_empty" => Op::Inspect(handle("h")?, Query::IsEmpty),
        "is_full" => Op::Inspect(handle("h")?, Query::IsFull),
        "capacity" => Op::Inspect(handle("h")?, Query::Capacity),
        "same_channel" => Op::SameChannel(handle("h")?, handle("other")?),
        other => return Err(format!("unknown op {other:?}")),
    };
    Ok(Call { thread, op })
}

fn read_mode(call: &Json) -> Result<Mode, String> {
    match call.get("mode").and_then(Json::as_str) {
        Some("try") => Ok(Mode::Try),
        Some("block") => Ok(Mode::Block),
        Some("timed") => {
            let ms = call
                .get("ms")
                .and_then(Json::as_int)
                .ok_or("a timed call needs \"ms\"")?;
            Ok(Mode::Timed(Duration::from_millis(
                u64::try_from(ms).map_err(|_| "\"ms\" must be >= 0")?,
            )))
        }
        other => Err(format!("unknown mode {other:?}")),
    }
}

fn read_handle(value: &Json) -> Result<HandleRef, String> {
    let parts = value
        .as_array()
        .filter(|p| p.len() == 3)
        .ok_or("a handle is [channel, side, serial]")?;
    let index = |v: &Json| {
        v.as_int()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or("bad handle index")
    };
    let side = match parts[1].as_str() {
        Some("tx") => Side::Tx,
        Some("rx") => Side::Rx,
        _ => return Err("a handle's side is \"tx\" or \"rx\"".to_string()),
    };
    Ok(HandleRef {
        channel: index(&parts[0])?,
        side,
        serial: index(&parts[2])?,
    })
}
