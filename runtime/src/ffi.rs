//! What every generated C ABI library shares: the status codes, the
//! thread's last error, the [`Arena`] that holds an event's C view for the
//! length of a handler call, and checked reading of C values back into Rust.
//!
//! The generated library declares its `repr(C)` types and exported
//! functions; everything here is generic so that the rules (no panic
//! crosses into C, a NULL argument is an error code, every failure leaves a
//! message) are written once.

use std::any::Any;
use std::cell::RefCell;
use std::ffi::{c_char, c_void, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::RwLock;

use std::borrow::Cow;

use crate::{Contract, DispatchError, EnvelopeRef, Publisher, Reason};

/// The result of every entry point of a generated C library. The numbers
/// are part of the ABI: a code keeps its number forever.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Ok = 0,
    UnknownType = 1,
    UnsupportedVersion = 2,
    InvalidEnvelope = 3,
    InvalidPayload = 4,
    UpcastFailed = 5,
    NoHandler = 6,
    HandlerFailed = 7,
    NullArgument = 8,
    AbiMismatch = 9,
    Internal = 10,
}

impl Status {
    /// Every status, in number order: the one list the header, the status
    /// strings and the library are generated from.
    pub const ALL: [Status; 11] = [
        Status::Ok,
        Status::UnknownType,
        Status::UnsupportedVersion,
        Status::InvalidEnvelope,
        Status::InvalidPayload,
        Status::UpcastFailed,
        Status::NoHandler,
        Status::HandlerFailed,
        Status::NullArgument,
        Status::AbiMismatch,
        Status::Internal,
    ];

    /// The constant's suffix in C (`<PREFIX>_STATUS_<NAME>`).
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::UnknownType => "UNKNOWN_TYPE",
            Status::UnsupportedVersion => "UNSUPPORTED_VERSION",
            Status::InvalidEnvelope => "INVALID_ENVELOPE",
            Status::InvalidPayload => "INVALID_PAYLOAD",
            Status::UpcastFailed => "UPCAST_FAILED",
            Status::NoHandler => "NO_HANDLER",
            Status::HandlerFailed => "HANDLER_FAILED",
            Status::NullArgument => "NULL_ARGUMENT",
            Status::AbiMismatch => "ABI_MISMATCH",
            Status::Internal => "INTERNAL",
        }
    }

    /// What the status means, as `<prefix>_status_str` returns it.
    pub fn describe(self) -> &'static CStr {
        match self {
            Status::Ok => c"ok",
            Status::UnknownType => c"unknown type: no contract of this set has the message's type",
            Status::UnsupportedVersion => {
                c"unsupported version: a major version this library cannot decode"
            }
            Status::InvalidEnvelope => c"invalid envelope: the message breaks a CloudEvents rule",
            Status::InvalidPayload => c"invalid payload: the data does not match its contract",
            Status::UpcastFailed => c"upcast failed: an older version could not be upgraded",
            Status::NoHandler => c"no handler: the handler table has no entry for this command",
            Status::HandlerFailed => c"handler failed: the handler returned non-zero",
            Status::NullArgument => c"null argument: a required pointer was NULL",
            Status::AbiMismatch => {
                c"ABI mismatch: the header and the library come from different contracts"
            }
            Status::Internal => c"internal error: a bug in the library, see the last error",
        }
    }

    pub fn from_code(code: i32) -> Option<Status> {
        Status::ALL.into_iter().find(|s| *s as i32 == code)
    }

    pub fn code(self) -> i32 {
        self as i32
    }
}

/// `<prefix>_status_str`: a static string, never NULL.
pub fn status_str(code: i32) -> *const c_char {
    match Status::from_code(code) {
        Some(status) => status.describe().as_ptr(),
        None => c"unknown status code".as_ptr(),
    }
}

/// A failed call: its status and the message `last_error` will return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub status: Status,
    pub message: String,
}

impl Failure {
    pub fn new(status: Status, message: impl Into<String>) -> Self {
        Failure {
            status,
            message: message.into(),
        }
    }

    /// A required pointer argument was NULL.
    pub fn null(argument: &str) -> Self {
        Failure::new(
            Status::NullArgument,
            format!("`{argument}` is NULL; it must point to a valid value"),
        )
    }
}

impl From<DispatchError> for Failure {
    fn from(error: DispatchError) -> Self {
        let status = match error.reason() {
            Reason::InvalidEnvelope(_) => Status::InvalidEnvelope,
            Reason::UnknownType { .. } => Status::UnknownType,
            Reason::UnsupportedVersion { .. } => Status::UnsupportedVersion,
            Reason::InvalidPayload { .. } => Status::InvalidPayload,
            Reason::UpcastFailed { .. } => Status::UpcastFailed,
            Reason::NoHandler { .. } => Status::NoHandler,
            Reason::HandlerFailed { .. } => Status::HandlerFailed,
        };
        Failure::new(status, error.to_string())
    }
}

impl From<ReadError> for Failure {
    fn from(error: ReadError) -> Self {
        Failure::new(Status::InvalidPayload, error.to_string())
    }
}

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Records the message `last_error` returns on this thread. Interior NULs
/// become U+FFFD so the message is never cut short.
pub fn set_last_error(message: &str) {
    let text = CString::new(message.replace('\0', "\u{fffd}")).unwrap_or_default();
    // During thread teardown the slot may be gone; the status still tells.
    let _ = LAST_ERROR.try_with(|slot| *slot.borrow_mut() = text);
}

/// `<prefix>_last_error`: the message of this thread's last failed call,
/// `""` if none. Valid until the next call into the library on this thread.
pub fn last_error() -> *const c_char {
    LAST_ERROR
        .try_with(|slot| slot.borrow().as_ptr())
        .unwrap_or(c"".as_ptr())
}

/// Runs an entry point's body: a failure sets the last error and returns
/// its status; a panic is caught here and never unwinds into C.
pub fn guard(body: impl FnOnce() -> Result<(), Failure>) -> i32 {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => Status::Ok.code(),
        Ok(Err(failure)) => {
            set_last_error(&failure.message);
            failure.status.code()
        }
        Err(panic) => {
            let reason = panic_message(panic.as_ref());
            // The payload's own drop must not unwind either.
            let _ = catch_unwind(AssertUnwindSafe(move || drop(panic)));
            set_last_error(&format!("internal error: {reason}"));
            Status::Internal.code()
        }
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

/// A type whose all-zero bytes are a valid value: the members a `has_`
/// flag marks unset are zeroed.
///
/// # Safety
/// Implement only for types made of integers, raw pointers and other
/// `Plain` types.
pub unsafe trait Plain: Copy {}

macro_rules! plain {
    ($($t:ty),*) => { $(unsafe impl Plain for $t {})* };
}
plain!(u8, i32, i64, u32, u64, f64, usize, Str);
unsafe impl<T> Plain for *const T {}

/// Whether every `(measured, declared)` pair of a type's layout agrees:
/// the generated library compares its `repr(C)` sizes, alignments and
/// offsets with the header's at compile time, one table per type.
pub const fn layout_agrees<const N: usize>(pairs: [(usize, usize); N]) -> bool {
    let mut i = 0;
    while i < pairs.len() {
        if pairs[i].0 != pairs[i].1 {
            return false;
        }
        i += 1;
    }
    true
}

/// An optional member of a C struct: `None` when its `has_` flag is 0,
/// else what `read` makes of the member, a failure located at `name`.
pub fn optional<T>(
    name: &str,
    has: u8,
    read: impl FnOnce() -> Result<T, ReadError>,
) -> Result<Option<T>, ReadError> {
    if has == 0 {
        return Ok(None);
    }
    read().map(Some).map_err(|e| e.at(name))
}

/// The zero value of a C view type.
pub fn zeroed<T: Plain>() -> T {
    // SAFETY: `Plain` promises all-zero bytes are a valid `T`.
    unsafe { std::mem::zeroed() }
}

/// `<prefix>_check_abi`: the header a program was compiled with must come
/// from the same contracts and convention as the library.
pub fn check_abi(library: (u32, u64), header: (u32, u64)) -> Result<(), Failure> {
    if library == header {
        return Ok(());
    }
    Err(Failure::new(
        Status::AbiMismatch,
        format!(
            "the header is ABI {} with contracts {:#018x}; the library is ABI {} with contracts {:#018x}",
            header.0, header.1, library.0, library.1
        ),
    ))
}

/// A UTF-8 string as C sees it: `len` bytes at `ptr`, followed by a NUL.
/// In views the library hands out, `ptr` is never NULL.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct Str {
    pub ptr: *const c_char,
    pub len: usize,
}

impl Str {
    /// `""`, pointing at a static NUL.
    pub const EMPTY: Str = Str {
        ptr: c"".as_ptr(),
        len: 0,
    };
}

/// Bytes the library allocated for C; released by `<prefix>_buf_free`.
#[repr(C)]
#[derive(Debug)]
pub struct Buf {
    pub data: *mut u8,
    pub len: usize,
}

impl Buf {
    pub const EMPTY: Buf = Buf {
        data: std::ptr::null_mut(),
        len: 0,
    };

    pub fn from_vec(bytes: Vec<u8>) -> Buf {
        let len = bytes.len();
        let data = Box::into_raw(bytes.into_boxed_slice()).cast::<u8>();
        Buf { data, len }
    }

    /// Releases what `from_vec` allocated and empties the buffer, so a
    /// second free is harmless.
    ///
    /// # Safety
    /// `buf` is NULL or points to a `Buf` that is empty or came from
    /// [`Buf::from_vec`] and was not changed since.
    pub unsafe fn free(buf: *mut Buf) {
        // SAFETY: the caller promises `buf` is NULL or valid.
        let Some(buf) = (unsafe { buf.as_mut() }) else {
            return;
        };
        if !buf.data.is_null() {
            let slice = std::ptr::slice_from_raw_parts_mut(buf.data, buf.len);
            // SAFETY: `data` and `len` are those `from_vec` produced.
            drop(unsafe { Box::from_raw(slice) });
        }
        *buf = Buf::EMPTY;
    }
}

/// Envelope attributes handed to a handler beside the event.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct Meta {
    pub id: Str,
    pub source: Str,
    pub type_: Str,
    pub has_time: u8,
    pub time: Str,
    pub has_subject: u8,
    pub subject: Str,
    pub has_dataversion: u8,
    pub dataversion: Str,
    /// The conversation's id: the `correlationid` extension, or the
    /// message's own id when it starts one.
    pub correlation_id: Str,
    pub has_causation_id: u8,
    pub causation_id: Str,
}

impl Meta {
    pub fn of(envelope: &EnvelopeRef<'_>, arena: &mut Arena) -> Meta {
        let mut optional = |value: &Option<Cow<'_, str>>| match value {
            Some(text) => (1, arena.str(text)),
            None => (0, Str::EMPTY),
        };
        let (has_time, time) = optional(&envelope.time);
        let (has_subject, subject) = optional(&envelope.subject);
        let (has_dataversion, dataversion) = optional(&envelope.dataversion);
        let (has_causation_id, causation_id) = optional(&envelope.causationid);
        let correlation = envelope.correlationid.as_deref().unwrap_or(&envelope.id);
        Meta {
            id: arena.str(&envelope.id),
            source: arena.str(&envelope.source),
            type_: arena.str(&envelope.ty),
            has_time,
            time,
            has_subject,
            subject,
            has_dataversion,
            dataversion,
            correlation_id: arena.str(correlation),
            has_causation_id,
            causation_id,
        }
    }
}

/// Owns the memory of one event's C view: strings with their NUL, arrays,
/// boxed values. Dropped when the handler returns, which is why an event is
/// only borrowed for the call.
///
/// A bump allocator over zeroed chunks: a chunk never grows once made, so a
/// pointer handed out stays valid until the arena drops, and one view costs
/// a few allocations rather than one per string and array. Only [`Plain`]
/// values live here: they have no destructor to run.
#[derive(Default)]
pub struct Arena {
    chunks: Vec<Vec<u64>>,
    /// Bytes used in the last chunk.
    used: usize,
}

/// The first chunk's size; each next one doubles, up to [`MAX_CHUNK`].
const FIRST_CHUNK: usize = 1 << 10;
const MAX_CHUNK: usize = 1 << 20;

impl Arena {
    /// `size` bytes aligned to `align` (at most 8), zeroed.
    fn alloc(&mut self, size: usize, align: usize) -> *mut u8 {
        debug_assert!(align <= std::mem::align_of::<u64>());
        let capacity = self.chunks.last().map_or(0, |c| c.len() * 8);
        let mut start = self.used.next_multiple_of(align);
        if start + size > capacity {
            let next = (capacity * 2).clamp(FIRST_CHUNK, MAX_CHUNK).max(size);
            self.chunks.push(vec![0u64; next.div_ceil(8)]);
            start = 0;
        }
        self.used = start + size;
        let chunk = self.chunks.last_mut().expect("a chunk was just ensured");
        // SAFETY: `start + size` is within the chunk's bytes.
        unsafe { chunk.as_mut_ptr().cast::<u8>().add(start) }
    }

    /// A NUL-terminated copy of `text`.
    pub fn str(&mut self, text: &str) -> Str {
        if text.is_empty() {
            return Str::EMPTY;
        }
        let ptr = self.alloc(text.len() + 1, 1);
        // SAFETY: `ptr` has room for the text; the byte after it is zero.
        unsafe { std::ptr::copy_nonoverlapping(text.as_ptr(), ptr, text.len()) };
        Str {
            ptr: ptr.cast::<c_char>(),
            len: text.len(),
        }
    }

    /// Any JSON value as its JSON text.
    pub fn json(&mut self, value: &serde_json::Value) -> Str {
        self.str(&value.to_string())
    }

    /// An array of the converted `items`: pointer and length (NULL when
    /// empty). `convert` gets the arena back for what the items hold.
    pub fn fill<I, T>(
        &mut self,
        items: I,
        mut convert: impl FnMut(&mut Arena, I::Item) -> T,
    ) -> (*const T, usize)
    where
        I: ExactSizeIterator,
        T: Plain,
    {
        let len = items.len();
        if len == 0 || std::mem::size_of::<T>() == 0 {
            return (std::ptr::null(), 0);
        }
        let Some(size) = std::mem::size_of::<T>().checked_mul(len) else {
            return (std::ptr::null(), 0);
        };
        let ptr = self.alloc(size, std::mem::align_of::<T>()).cast::<T>();
        for (index, item) in items.take(len).enumerate() {
            let value = convert(self, item);
            // SAFETY: `index < len`, and the chunk holding `ptr` never moves.
            unsafe { ptr.add(index).write(value) };
        }
        // Slots an iterator did not fill stay zeroed, a valid `Plain` value.
        (ptr, len)
    }

    /// Keeps one value alive for the call (a recursive member).
    pub fn boxed<T: Plain>(&mut self, value: T) -> *const T {
        let ptr = self
            .alloc(std::mem::size_of::<T>(), std::mem::align_of::<T>())
            .cast::<T>();
        // SAFETY: room for one aligned `T`.
        unsafe { ptr.write(value) };
        ptr
    }
}

/// A handler entry of a generated table: NULL or a C function.
pub type Handler<T> = Option<unsafe extern "C" fn(*mut c_void, *const Meta, *const T) -> i32>;

/// Calls an event handler; a NULL entry means nobody listens, which is fine
/// for an event.
///
/// # Safety
/// `handler` is NULL or a C function of the table's signature.
pub unsafe fn call_event<T>(
    handler: Handler<T>,
    ctx: *mut c_void,
    meta: &Meta,
    event: &T,
    entry: &str,
) -> Result<(), Failure> {
    match handler {
        None => Ok(()),
        // SAFETY: the caller promises a function of this signature.
        Some(function) => outcome(unsafe { function(ctx, meta, event) }, entry),
    }
}

/// Calls a command handler; a command must have one.
///
/// # Safety
/// As [`call_event`].
pub unsafe fn call_command<T>(
    handler: Handler<T>,
    ctx: *mut c_void,
    meta: &Meta,
    command: &T,
    entry: &str,
    wire_type: &str,
) -> Result<(), Failure> {
    match handler {
        None => Err(Failure::new(
            Status::NoHandler,
            format!("no handler for the command `{wire_type}`: `{entry}` is NULL"),
        )),
        // SAFETY: the caller promises a function of this signature.
        Some(function) => outcome(unsafe { function(ctx, meta, command) }, entry),
    }
}

fn outcome(code: i32, entry: &str) -> Result<(), Failure> {
    if code == 0 {
        Ok(())
    } else {
        Err(Failure::new(
            Status::HandlerFailed,
            format!("handler `{entry}` returned {code}"),
        ))
    }
}

/// The message bytes of `<prefix>_dispatch`.
///
/// # Safety
/// `bytes` is NULL or points to `len` readable bytes that outlive the call.
pub unsafe fn bytes_arg<'a>(bytes: *const u8, len: usize) -> Result<&'a [u8], Failure> {
    if bytes.is_null() {
        return Err(Failure::null("bytes"));
    }
    // SAFETY: non-NULL, and the caller promises `len` readable bytes.
    Ok(unsafe { std::slice::from_raw_parts(bytes, len) })
}

/// A NUL-terminated UTF-8 argument.
///
/// # Safety
/// `text` is NULL or points to a NUL-terminated string.
pub unsafe fn text_arg<'a>(text: *const c_char, name: &str) -> Result<&'a str, Failure> {
    if text.is_null() {
        return Err(Failure::null(name));
    }
    // SAFETY: non-NULL and NUL-terminated, as the caller promises.
    let text = unsafe { CStr::from_ptr(text) };
    text.to_str().map_err(|e| {
        Failure::new(
            Status::InvalidEnvelope,
            format!("`{name}` is not UTF-8: {e}"),
        )
    })
}

/// The CloudEvents `source` of envelopes a library encodes; one per
/// library, set from C at start-up.
pub struct Source {
    default: &'static str,
    current: RwLock<Option<String>>,
}

impl Source {
    pub const fn new(default: &'static str) -> Self {
        Source {
            default,
            current: RwLock::new(None),
        }
    }

    pub fn set(&self, source: &str) -> Result<(), Failure> {
        if source.is_empty() {
            return Err(Failure::new(
                Status::InvalidEnvelope,
                "the CloudEvents `source` must not be empty",
            ));
        }
        let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
        *current = Some(source.to_owned());
        Ok(())
    }

    pub fn publisher(&self) -> Publisher {
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        Publisher::new(current.as_deref().unwrap_or(self.default))
    }
}

/// Validates `payload`, wraps it in a new envelope and hands the bytes to C.
pub fn encode<T: Contract>(source: &Source, payload: &T, out: &mut Buf) -> Result<(), Failure> {
    let envelope = source
        .publisher()
        .envelope(payload)
        .map_err(|e| Failure::new(Status::InvalidPayload, format!("`{}` {e}", T::WIRE_TYPE)))?;
    *out = Buf::from_vec(envelope.to_vec());
    Ok(())
}

/// A C value that cannot be read back: where (a JSON pointer into the
/// payload) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// Path segments, innermost first (errors are built inside out).
    path: Vec<String>,
    reason: String,
}

impl ReadError {
    pub fn new(reason: impl Into<String>) -> Self {
        ReadError {
            path: Vec::new(),
            reason: reason.into(),
        }
    }

    /// The same error one level up: inside property or index `segment`.
    pub fn at(mut self, segment: impl ToString) -> Self {
        self.path.push(segment.to_string());
        self
    }

    pub fn pointer(&self) -> String {
        self.path
            .iter()
            .rev()
            .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
            .collect()
    }
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pointer = self.pointer();
        let place = if pointer.is_empty() { "/" } else { &pointer };
        write!(f, "invalid value at `{place}`: {}", self.reason)
    }
}

/// A string member read back from C.
///
/// # Safety
/// `text.ptr` is NULL or points to `text.len` readable bytes.
pub unsafe fn read_str(text: Str) -> Result<String, ReadError> {
    // SAFETY: forwarded from the caller.
    let bytes = unsafe { read_slice(text.ptr.cast::<u8>(), text.len) }?;
    std::str::from_utf8(bytes)
        .map(str::to_owned)
        .map_err(|e| ReadError::new(format!("the string is not UTF-8 ({e})")))
}

/// A JSON value member: its JSON text.
///
/// # Safety
/// As [`read_str`].
pub unsafe fn read_json(text: Str) -> Result<serde_json::Value, ReadError> {
    // SAFETY: forwarded from the caller.
    let text = unsafe { read_str(text) }?;
    serde_json::from_str(&text).map_err(|e| ReadError::new(format!("not JSON text ({e})")))
}

/// An array member: NULL is only allowed with a zero length.
///
/// # Safety
/// `ptr` is NULL or points to `len` initialized values.
pub unsafe fn read_slice<'a, T>(ptr: *const T, len: usize) -> Result<&'a [T], ReadError> {
    if ptr.is_null() {
        return match len {
            0 => Ok(&[]),
            _ => Err(ReadError::new(format!("NULL pointer with length {len}"))),
        };
    }
    if !ptr.is_aligned() {
        return Err(ReadError::new("misaligned pointer"));
    }
    if len > isize::MAX as usize / std::mem::size_of::<T>().max(1) {
        return Err(ReadError::new(format!("length {len} is too large")));
    }
    // SAFETY: non-NULL, and the caller promises `len` values.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// A pointer member (a recursive value): must not be NULL.
///
/// # Safety
/// `ptr` is NULL or points to an initialized value.
pub unsafe fn read_ref<'a, T>(ptr: *const T) -> Result<&'a T, ReadError> {
    if !ptr.is_aligned() {
        return Err(ReadError::new("misaligned pointer"));
    }
    // SAFETY: forwarded from the caller.
    unsafe { ptr.as_ref() }.ok_or_else(|| ReadError::new("NULL pointer"))
}

/// How deep C values may nest when read back, as deep as serde_json
/// parses: a cycle of pointers (`a->next = a`) or a hostile depth becomes
/// an error, not a stack overflow.
pub const MAX_DEPTH: usize = 128;

thread_local! {
    static DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// One level deeper while reading an object from C; the level is left
/// when the guard drops.
pub struct Depth(());

impl Depth {
    pub fn enter() -> Result<Depth, ReadError> {
        let depth = DEPTH.with(|d| {
            let next = d.get() + 1;
            d.set(next);
            next
        });
        let guard = Depth(());
        if depth > MAX_DEPTH {
            return Err(ReadError::new(format!(
                "nested deeper than {MAX_DEPTH} levels (a cycle of pointers?)"
            )));
        }
        Ok(guard)
    }
}

impl Drop for Depth {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

/// A constant of a generated C enum or union tag that has no variant.
pub fn unknown_constant(value: i32, type_name: &str) -> ReadError {
    ReadError::new(format!("{value} is not a constant of `{type_name}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_layout_agrees_only_when_every_pair_does() {
        // As the generated library calls it: at compile time.
        const _: () = assert!(layout_agrees([(16, 16), (8, 8), (0, 0), (8, 8)]));
        assert!(layout_agrees([(16, 16), (8, 8), (0, 0), (8, 8)]));
        assert!(!layout_agrees([(16, 16), (8, 8), (0, 0), (12, 8)]));
        assert!(!layout_agrees([(24, 16)]));
        assert!(layout_agrees([]));
    }

    #[test]
    fn an_optional_member_is_read_only_when_flagged() {
        let never = || -> Result<u8, ReadError> { panic!("read without its flag") };
        assert_eq!(optional("note", 0, never).unwrap(), None);
        assert_eq!(optional("note", 1, || Ok(7u8)).unwrap(), Some(7));
        let failed = optional::<u8>("note", 1, || Err(ReadError::new("bad"))).unwrap_err();
        assert_eq!(failed.pointer(), "/note");
    }

    #[test]
    fn statuses_are_numbered_in_order() {
        for (index, status) in Status::ALL.iter().enumerate() {
            assert_eq!(status.code(), index as i32);
            assert_eq!(Status::from_code(index as i32), Some(*status));
        }
        assert_eq!(Status::from_code(99), None);
    }

    #[test]
    fn a_panic_becomes_internal_with_its_message() {
        let code = guard(|| panic!("boom"));
        assert_eq!(code, Status::Internal.code());
        let message = unsafe { CStr::from_ptr(last_error()) };
        assert_eq!(message.to_str().unwrap(), "internal error: boom");
    }

    #[test]
    fn read_errors_name_the_member() {
        let error = ReadError::new("NULL pointer with length 3")
            .at("sku")
            .at(0)
            .at("lines");
        assert_eq!(
            error.to_string(),
            "invalid value at `/lines/0/sku`: NULL pointer with length 3"
        );
        let bad = Str {
            ptr: std::ptr::null(),
            len: 2,
        };
        assert!(unsafe { read_str(bad) }.is_err());
        assert_eq!(unsafe { read_str(Str::EMPTY) }.unwrap(), "");
    }

    #[test]
    fn arena_values_stay_put_while_it_grows() {
        let mut arena = Arena::default();
        let first = arena.str("first");
        let (ptr, len) = arena.fill(0..10_000usize, |arena, i| arena.str(&i.to_string()));
        let items = unsafe { std::slice::from_raw_parts(ptr, len) };
        assert_eq!(
            unsafe { CStr::from_ptr(items[9_999].ptr) }
                .to_str()
                .unwrap(),
            "9999"
        );
        assert_eq!(
            unsafe { CStr::from_ptr(first.ptr) }.to_str().unwrap(),
            "first"
        );
        let one = arena.boxed(7u64);
        assert_eq!(unsafe { *one }, 7);
        assert_eq!(arena.fill(std::iter::empty::<u8>(), |_, b| b).1, 0);
    }

    #[test]
    fn depth_is_bounded_and_restored() {
        fn nest(level: usize) -> Result<usize, ReadError> {
            let _depth = Depth::enter()?;
            if level == 0 {
                Ok(0)
            } else {
                nest(level - 1)
            }
        }
        assert!(nest(MAX_DEPTH - 1).is_ok());
        assert!(nest(10_000).is_err());
        assert!(
            nest(MAX_DEPTH - 1).is_ok(),
            "levels are left on the way out"
        );
    }

    #[test]
    fn arena_strings_end_in_nul() {
        let mut arena = Arena::default();
        let text = arena.str("héllo");
        let c = unsafe { CStr::from_ptr(text.ptr) };
        assert_eq!(c.to_bytes(), "héllo".as_bytes());
        assert_eq!(text.len, "héllo".len());
    }

    #[test]
    fn buffers_free_once() {
        let mut buf = Buf::from_vec(b"abc".to_vec());
        unsafe { Buf::free(&mut buf) };
        assert!(buf.data.is_null());
        unsafe { Buf::free(&mut buf) };
        unsafe { Buf::free(std::ptr::null_mut()) };
    }
}
