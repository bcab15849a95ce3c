//! A stack deep enough for the deepest schema evc accepts.
//!
//! Schemas nest up to the loader's limit (`NESTING_TOO_DEEP`), and each
//! level of `not`, `if` or a branch is a nested block in the generated
//! code, which syn parses recursively to format it. A caller's thread may
//! have far less stack than that needs (2 MiB for a test or a tokio
//! worker), so the work runs on a thread of its own with a stack sized for
//! the limit; only the pages it touches are committed.

/// Enough for a schema at the nesting limit, in a debug build.
const STACK: usize = 256 << 20;

/// Runs `work` on a thread with a [`STACK`]-byte stack and returns what it
/// returns; a panic in it is resumed in the caller. Where no thread can be
/// started, `work` runs on the caller's stack.
pub fn deep<R: Send, W: FnOnce() -> R + Send>(work: W) -> R {
    let mut slot = Some(work);
    let ran = std::thread::scope(|scope| {
        let thread = std::thread::Builder::new()
            .name("evc-deep".into())
            .stack_size(STACK)
            .spawn_scoped(scope, || slot.take().map(|work| work()))
            .ok()?;
        Some(
            thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        )
    });
    // `None` only when no thread started: then the work is still here.
    match (ran.flatten(), slot) {
        (Some(result), _) => result,
        (None, Some(work)) => work(),
        (None, None) => unreachable!("a thread that took the work returned its result"),
    }
}
