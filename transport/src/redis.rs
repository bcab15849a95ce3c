//! Redis Streams (feature `redis`; Redis 7.0 or later).
//!
//! - A topic goes to the stream key `<prefix><topic>` (default prefix
//!   `evc:`, so `evc:com.example.orders.order_created.v2`). Replace the
//!   mapping with [`RedisConfig::stream_key`]; on Redis Cluster, a
//!   subscription's keys must then share a hash slot (a `{tag}`).
//! - A message is one stream entry: the field `body` holds the bytes, and
//!   each header `name` is the field `h:<name>`, so no header can collide
//!   with the body. Fields of other producers that follow neither form are
//!   ignored; header values that are not UTF-8 are read lossily; an entry
//!   without `body` is delivered with an empty one (and so dead-lettered).
//! - Publishing returns after the `XADD` reply: as durable as the server's
//!   persistence (`appendonly`, `appendfsync`) makes it. Trimming
//!   ([`RedisConfig::max_len`], approximate `MAXLEN ~`) is off by default,
//!   because it also removes entries a slow group has not read yet.
//! - A consumer group is a Redis consumer group of the same name on each
//!   topic's stream, created at `0` (a new group reads what was published
//!   before it joined). Each member is a Redis consumer of its own, named
//!   `<consumer>-<time>-<client id>`, reading with `XREADGROUP … >` on a
//!   connection of its own (a blocking read holds its connection) and never
//!   holding more than `prefetch` unsettled messages. A member that leaves
//!   removes its consumer once its deliveries are settled, unless it still
//!   owns pending entries (removing it would drop them).
//! - Acknowledging is `XACK`. Redis has no negative acknowledgement: a
//!   nack resets the entry's idle time to [`RedisConfig::claim_idle`] with
//!   `XCLAIM … IDLE`, and every member runs `XAUTOCLAIM` with that idle
//!   time before each read, so the entry (its ID, bytes and headers
//!   unchanged, in the group's pending list throughout) goes to the next
//!   member that reads. A delivery dropped unsettled is nacked where a
//!   tokio runtime runs; otherwise, and when a member dies, its entries
//!   stay pending and `XAUTOCLAIM` hands them on once idle for
//!   `claim_idle`.
//! - A lost connection is recovered: each connection is a `redis`
//!   connection manager, which connects again after an I/O error. The
//!   command that met the error fails (a publish whose `XADD` reply never
//!   came is reported as failed and may still have been added); a member
//!   reports the failed read and reads again after `block`. Entries it had
//!   read stay pending and are claimed again after `claim_idle`.
//! - Content mode: structured only. There is no CloudEvents protocol
//!   binding for Redis, so the binary mode falls back to structured
//!   ([`Binding::STRUCTURED_ONLY`]).
//!
//! [`RedisDedup`] keeps the claims of [`crate::dedup`] in Redis, shared by
//! every process of a group.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{RedisError, Value};
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};

use crate::broker::{
    Deliveries, Delivery, Inbox, Publisher, Settle, Subscriber, Subscription, TransportError,
};
use crate::dedup::{Claim, Dedup};
use crate::message::{Headers, RawMessage};
use crate::wire::Binding;

/// Maps a topic to a stream key.
pub type StreamKeyMapping = Arc<dyn Fn(&str) -> String + Send + Sync>;

/// The entry field that holds a message's body.
const BODY: &str = "body";
/// The prefix of the entry fields that hold headers.
const HEADER: &str = "h:";

const RESPONSE_TIMEOUT: Duration = Duration::from_secs(5);

/// Where and how the adapter keeps messages.
#[derive(Clone)]
pub struct RedisConfig {
    /// Prepended to a topic to make its stream key.
    pub prefix: String,
    /// Replaces the default topic-to-key mapping.
    pub stream_key: Option<StreamKeyMapping>,
    /// First part of each member's consumer name.
    pub consumer: String,
    /// How long an entry stays with a member that does not settle it
    /// before another member takes it over: longer than a handler ever
    /// holds a message, or a slow handler's message runs twice.
    pub claim_idle: Duration,
    /// How long one `XREADGROUP` waits for new entries; also the longest a
    /// handed-back entry waits for an idle member to look again.
    pub block: Duration,
    /// Trims each stream to about this many entries on publish.
    pub max_len: Option<usize>,
    /// Deadline of a reply (beyond `block`, for reads).
    pub response_timeout: Duration,
}

impl Default for RedisConfig {
    fn default() -> Self {
        RedisConfig {
            prefix: "evc:".to_owned(),
            stream_key: None,
            consumer: "evc".to_owned(),
            claim_idle: Duration::from_secs(30),
            block: Duration::from_secs(1),
            max_len: None,
            response_timeout: RESPONSE_TIMEOUT,
        }
    }
}

/// A Redis connection, shared by clones, with the stream keys it used.
#[derive(Clone)]
pub struct RedisBroker {
    client: redis::Client,
    connection: ConnectionManager,
    config: Arc<RedisConfig>,
    keys: Arc<Mutex<BTreeSet<String>>>,
}

fn caused(what: impl Into<String>) -> impl FnOnce(RedisError) -> TransportError {
    let what = what.into();
    move |source| TransportError::caused(what, source)
}

/// Milliseconds as Redis reads them: a signed 64-bit integer.
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis())
        .unwrap_or(u64::MAX)
        .min(i64::MAX as u64)
}

async fn manager(
    client: &redis::Client,
    response_timeout: Duration,
) -> Result<ConnectionManager, RedisError> {
    let config = ConnectionManagerConfig::new().set_response_timeout(Some(response_timeout));
    ConnectionManager::new_with_config(client.clone(), config).await
}

/// The connection manager retries a refused connection for seconds with
/// backoff: one plain attempt first reports an unreachable server at once.
async fn first_manager(
    client: &redis::Client,
    response_timeout: Duration,
) -> Result<ConnectionManager, TransportError> {
    let config = redis::AsyncConnectionConfig::new().set_response_timeout(Some(response_timeout));
    client
        .get_multiplexed_async_connection_with_config(&config)
        .await
        .map_err(caused("cannot connect to Redis"))?;
    manager(client, response_timeout)
        .await
        .map_err(caused("cannot connect to Redis"))
}

impl RedisBroker {
    /// Connects to `address` (`redis://127.0.0.1:6379`).
    pub async fn connect(address: &str, config: RedisConfig) -> Result<Self, TransportError> {
        let client = redis::Client::open(address)
            .map_err(caused(format!("`{address}` is not a Redis address")))?;
        Self::with_client(client, config).await
    }

    /// Uses `client` for the shared connection and for each member's own.
    pub async fn with_client(
        client: redis::Client,
        config: RedisConfig,
    ) -> Result<Self, TransportError> {
        let connection = first_manager(&client, config.response_timeout).await?;
        Ok(RedisBroker {
            client,
            connection,
            config: Arc::new(config),
            keys: Arc::default(),
        })
    }

    /// The stream key of `topic`.
    pub fn stream_key(&self, topic: &str) -> String {
        match &self.config.stream_key {
            Some(mapping) => mapping(topic),
            None => format!("{}{topic}", self.config.prefix),
        }
    }

    /// Deletes every stream key this broker and its clones published to or
    /// subscribed to, with their consumer groups.
    pub async fn delete(self) -> Result<(), TransportError> {
        let keys: Vec<String> = self.used().iter().cloned().collect();
        if keys.is_empty() {
            return Ok(());
        }
        redis::cmd("DEL")
            .arg(&keys)
            .query_async::<Value>(&mut self.connection.clone())
            .await
            .map(|_| ())
            .map_err(caused("cannot delete the stream keys"))
    }

    fn used(&self) -> MutexGuard<'_, BTreeSet<String>> {
        // Only ever inserted into: a panic cannot leave it half-written.
        self.keys.lock().unwrap_or_else(|p| p.into_inner())
    }

    async fn create_group(&self, key: &str, group: &str) -> Result<(), TransportError> {
        let created = redis::cmd("XGROUP")
            .arg("CREATE")
            .arg(key)
            .arg(group)
            .arg("0")
            .arg("MKSTREAM")
            .query_async::<Value>(&mut self.connection.clone())
            .await;
        match created {
            Ok(_) => Ok(()),
            Err(error) if error.code() == Some("BUSYGROUP") => Ok(()),
            Err(error) => Err(TransportError::caused(
                format!("cannot create the consumer group `{group}` on `{key}`"),
                error,
            )),
        }
    }
}

#[async_trait]
impl Publisher for RedisBroker {
    async fn publish(&self, topic: &str, message: RawMessage) -> Result<(), TransportError> {
        let key = self.stream_key(topic);
        let mut xadd = redis::cmd("XADD");
        xadd.arg(&key);
        if let Some(max_len) = self.config.max_len {
            xadd.arg("MAXLEN").arg("~").arg(max_len);
        }
        xadd.arg("*").arg(BODY).arg(message.body.as_slice());
        for (name, value) in &message.headers {
            xadd.arg(format!("{HEADER}{name}")).arg(value);
        }
        // Before the command: an XADD whose reply is lost may still have
        // created the key.
        self.used().insert(key.clone());
        xadd.query_async::<Value>(&mut self.connection.clone())
            .await
            .map(|_| ())
            .map_err(caused(format!("XADD to `{key}` failed")))
    }

    fn binding(&self) -> Binding {
        Binding::STRUCTURED_ONLY
    }

    /// `PUBLISH` on the inbox's channel: replies are not stored.
    async fn reply(&self, address: &str, message: RawMessage) -> Result<(), TransportError> {
        redis::cmd("PUBLISH")
            .arg(address)
            .arg(reply_frame(&message))
            .query_async::<Value>(&mut self.connection.clone())
            .await
            .map(|_| ())
            .map_err(caused(format!("PUBLISH to `{address}` failed")))
    }
}

/// A reply on a pub/sub channel: the headers as a JSON line, then the body.
fn reply_frame(message: &RawMessage) -> Vec<u8> {
    let mut frame = serde_json::to_vec(&message.headers).unwrap_or_else(|_| b"{}".to_vec());
    frame.push(b'\n');
    frame.extend_from_slice(&message.body);
    frame
}

fn read_reply_frame(frame: &[u8]) -> Option<RawMessage> {
    let split = frame.iter().position(|b| *b == b'\n')?;
    let headers = serde_json::from_slice(&frame[..split]).ok()?;
    Some(RawMessage {
        body: frame[split + 1..].to_vec(),
        headers,
    })
}

#[async_trait]
impl Subscriber for RedisBroker {
    async fn subscribe(&self, subscription: &Subscription) -> Result<Deliveries, TransportError> {
        if subscription.topics.is_empty() {
            return Err(TransportError::new(format!(
                "the subscription of group `{}` names no topic",
                subscription.group
            )));
        }
        let mut streams = Vec::with_capacity(subscription.topics.len());
        for topic in &subscription.topics {
            let key = self.stream_key(topic);
            self.used().insert(key.clone());
            self.create_group(&key, &subscription.group).await?;
            streams.push(Stream {
                key,
                topic: topic.clone(),
                cursor: "0-0".to_owned(),
            });
        }
        let mut reader = manager(
            &self.client,
            self.config.response_timeout + self.config.block,
        )
        .await
        .map_err(caused("cannot open a Redis connection for the member"))?;
        let id: i64 = redis::cmd("CLIENT")
            .arg("ID")
            .query_async(&mut reader)
            .await
            .map_err(caused("CLIENT ID failed"))?;
        // The client ID is unique while the server runs; the time keeps
        // names apart across restarts of a persistent server.
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let prefetch = subscription
            .prefetch
            .clamp(1, Semaphore::MAX_PERMITS.min(u32::MAX as usize));
        let member = Member {
            reader,
            shared: Arc::new(Shared {
                connection: self.connection.clone(),
                group: subscription.group.clone(),
                consumer: format!("{}-{since:x}-{id}", self.config.consumer),
                claim_idle: self.config.claim_idle,
            }),
            streams,
            prefetch,
            permits: Arc::new(Semaphore::new(prefetch)),
            block: self.config.block,
            turn: 0,
        };
        let (sender, receiver) = mpsc::channel(prefetch);
        tokio::spawn(member.run(sender));
        Ok(Box::pin(futures::stream::unfold(
            receiver,
            |mut receiver| async move { receiver.recv().await.map(|next| (next, receiver)) },
        )))
    }

    /// A pub/sub channel `<prefix>inbox:<unique>` on a connection of its own.
    async fn inbox(&self) -> Result<Inbox, TransportError> {
        let mut pubsub = self
            .client
            .get_async_pubsub()
            .await
            .map_err(caused("cannot open a reply connection".to_owned()))?;
        let address = format!(
            "{}inbox:{}",
            self.config.prefix,
            uuid::Uuid::new_v4().simple()
        );
        pubsub
            .subscribe(&address)
            .await
            .map_err(caused(format!("SUBSCRIBE to `{address}` failed")))?;
        let replies = futures::StreamExt::filter_map(pubsub.into_on_message(), |message| {
            std::future::ready(read_reply_frame(message.get_payload_bytes()))
        });
        Ok(Inbox {
            address,
            replies: Box::pin(replies),
        })
    }
}

/// What the deliveries of one member share.
struct Shared {
    connection: ConnectionManager,
    group: String,
    consumer: String,
    claim_idle: Duration,
}

struct Stream {
    key: String,
    topic: String,
    /// Where the next `XAUTOCLAIM` scan of the pending list starts.
    cursor: String,
}

/// Deletes the consumer `ARGV[2]` of the group `ARGV[1]` on the streams
/// `KEYS` if it owns no pending entry on any, atomically (a stream deleted
/// meanwhile counts as none).
const LEAVE: &str = r"
for _, key in ipairs(KEYS) do
  local pending = redis.pcall('XPENDING', key, ARGV[1], '-', '+', 1, ARGV[2])
  if type(pending) == 'table' and not pending.err and #pending > 0 then
    return 0
  end
end
for _, key in ipairs(KEYS) do
  redis.pcall('XGROUP', 'DELCONSUMER', key, ARGV[1], ARGV[2])
end
return 1
";

/// How long a member waits for half its window to be settled before it
/// reads with what is free.
const REFILL_WAIT: Duration = Duration::from_millis(5);

/// One permit per entry, so each delivery frees its own slot when settled.
fn split_permits(mut batch: OwnedSemaphorePermit) -> Vec<OwnedSemaphorePermit> {
    let mut permits = Vec::with_capacity(batch.num_permits());
    while batch.num_permits() > 1 {
        match batch.split(1) {
            Some(one) => permits.push(one),
            None => break,
        }
    }
    permits.push(batch);
    permits
}

/// One stream entry read for a member.
struct Entry {
    stream: usize,
    id: String,
    /// `None`: the entry was deleted while pending.
    message: Option<RawMessage>,
}

/// One member of a group: reads in a task of its own until its
/// deliveries are dropped.
struct Member {
    reader: ConnectionManager,
    shared: Arc<Shared>,
    streams: Vec<Stream>,
    prefetch: usize,
    /// One per message that may be unsettled; a delivery holds its own.
    permits: Arc<Semaphore>,
    block: Duration,
    turn: usize,
}

impl Member {
    async fn run(mut self, sender: mpsc::Sender<Result<Delivery, TransportError>>) {
        self.serve(&sender).await;
        drop(sender);
        self.leave().await;
    }

    /// Hands out entries until the deliveries are dropped.
    async fn serve(&mut self, sender: &mpsc::Sender<Result<Delivery, TransportError>>) {
        loop {
            let Some(mut permits) = self.window(sender).await else {
                return;
            };
            let entries = match self.claim(permits.len()).await {
                Ok(entries) if entries.is_empty() => self.read(permits.len()).await,
                other => other,
            };
            match entries {
                Ok(entries) => {
                    for entry in entries {
                        let Some(delivery) = self.delivery(entry, permits.pop()) else {
                            continue;
                        };
                        // Refused once the member is gone: the delivery,
                        // dropped, hands its entry back.
                        let _ = sender.send(Ok(delivery)).await;
                    }
                }
                Err(error) => {
                    drop(permits);
                    if sender.send(Err(error)).await.is_err() {
                        return;
                    }
                    // Whoever reads may go on; do not spin on a broken link.
                    tokio::select! {
                        () = tokio::time::sleep(self.block) => {}
                        () = sender.closed() => return,
                    }
                }
            }
            if sender.is_closed() {
                return;
            }
        }
    }

    /// The free slots of the window, once half of it is free or, should the
    /// holder keep more than half unsettled, after `REFILL_WAIT` (a reader
    /// such as `dead_letter::list` holds what it reads until it has all).
    /// Reading at every single settlement would fetch one entry per round
    /// trip and keep the window all but empty. `None`: the deliveries are
    /// dropped.
    async fn window(
        &self,
        sender: &mpsc::Sender<Result<Delivery, TransportError>>,
    ) -> Option<Vec<OwnedSemaphorePermit>> {
        let half = u32::try_from((self.prefetch / 2).max(1)).unwrap_or(u32::MAX);
        let free = async {
            let many = self.permits.clone().acquire_many_owned(half);
            match tokio::time::timeout(REFILL_WAIT, many).await {
                Ok(permit) => permit.ok(),
                Err(_) => self.permits.clone().acquire_owned().await.ok(),
            }
        };
        let first = tokio::select! {
            permit = free => permit?,
            () = sender.closed() => return None,
        };
        let mut permits = split_permits(first);
        while permits.len() < self.prefetch {
            match self.permits.clone().try_acquire_owned() {
                Ok(permit) => permits.push(permit),
                Err(_) => break,
            }
        }
        Some(permits)
    }

    /// Removes this member's consumer from the group once every delivery
    /// it handed out is settled or handed back, unless it still owns
    /// pending entries (deleting it would drop them).
    async fn leave(self) {
        let all = u32::try_from(self.prefetch).unwrap_or(u32::MAX);
        // A delivery that is never settled (its process dying, or
        // `mem::forget`) keeps its permit: give up after `claim_idle`.
        let settled = tokio::time::timeout(self.shared.claim_idle, self.permits.acquire_many(all));
        if !matches!(settled.await, Ok(Ok(_))) {
            return;
        }
        let mut leave = redis::cmd("EVAL");
        leave.arg(LEAVE).arg(self.streams.len());
        for stream in &self.streams {
            leave.arg(&stream.key);
        }
        leave.arg(&self.shared.group).arg(&self.shared.consumer);
        // On failure the consumer stays, harmless but for `XINFO` output.
        let _ = leave
            .query_async::<Value>(&mut self.shared.connection.clone())
            .await;
    }

    fn delivery(&self, entry: Entry, permit: Option<OwnedSemaphorePermit>) -> Option<Delivery> {
        let stream = self.streams.get(entry.stream)?;
        let pending = Pending {
            shared: self.shared.clone(),
            key: stream.key.clone(),
            id: entry.id,
            _permit: permit,
        };
        match entry.message {
            Some(message) => Some(Delivery::new(
                stream.topic.clone(),
                message,
                Box::new(RedisSettle(Some(pending))),
            )),
            None => {
                // Deleted while pending: nothing left to deliver.
                tokio::spawn(pending.ack());
                None
            }
        }
    }

    /// Takes over entries pending longer than `claim_idle` with anyone.
    async fn claim(&mut self, wanted: usize) -> Result<Vec<Entry>, TransportError> {
        let mut entries = Vec::new();
        let idle = millis(self.shared.claim_idle).to_string();
        for index in 0..self.streams.len() {
            let remaining = wanted.saturating_sub(entries.len());
            if remaining == 0 {
                break;
            }
            let stream = &mut self.streams[index];
            let reply: Value = redis::cmd("XAUTOCLAIM")
                .arg(&stream.key)
                .arg(&self.shared.group)
                .arg(&self.shared.consumer)
                .arg(&idle)
                .arg(&stream.cursor)
                .arg("COUNT")
                .arg(remaining)
                .query_async(&mut self.reader)
                .await
                .map_err(caused(format!("XAUTOCLAIM on `{}` failed", stream.key)))?;
            let Value::Array(parts) = reply else {
                return Err(unexpected("XAUTOCLAIM"));
            };
            let mut parts = parts.into_iter();
            let (Some(cursor), Some(claimed)) = (parts.next(), parts.next()) else {
                return Err(unexpected("XAUTOCLAIM"));
            };
            stream.cursor = text(&cursor).ok_or_else(|| unexpected("XAUTOCLAIM"))?;
            entries.extend(parse_entries(index, claimed)?);
        }
        Ok(entries)
    }

    /// New entries, at most `wanted` in all.
    async fn read(&mut self, wanted: usize) -> Result<Vec<Entry>, TransportError> {
        // COUNT bounds each stream, so fewer permits than streams read a
        // rotating subset of them, one entry each.
        let streams = self.streams.len();
        let (count, chosen): (usize, Vec<usize>) = if wanted >= streams {
            (wanted / streams, (0..streams).collect())
        } else {
            let chosen = (0..wanted).map(|i| (self.turn + i) % streams).collect();
            self.turn = (self.turn + wanted) % streams;
            (1, chosen)
        };
        let mut xreadgroup = redis::cmd("XREADGROUP");
        xreadgroup
            .arg("GROUP")
            .arg(&self.shared.group)
            .arg(&self.shared.consumer)
            .arg("COUNT")
            .arg(count)
            // BLOCK 0 would wait for ever.
            .arg("BLOCK")
            .arg(millis(self.block).max(1))
            .arg("STREAMS");
        for &index in &chosen {
            xreadgroup.arg(&self.streams[index].key);
        }
        for _ in &chosen {
            xreadgroup.arg(">");
        }
        let reply: Value = xreadgroup
            .query_async(&mut self.reader)
            .await
            .map_err(caused("XREADGROUP failed"))?;
        let pairs = match reply {
            Value::Nil => return Ok(Vec::new()),
            Value::Array(items) => items
                .into_iter()
                .map(|item| match item {
                    Value::Array(pair) => {
                        let mut pair = pair.into_iter();
                        pair.next().zip(pair.next())
                    }
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| unexpected("XREADGROUP"))?,
            Value::Map(pairs) => pairs,
            _ => return Err(unexpected("XREADGROUP")),
        };
        let mut entries = Vec::new();
        for (key, items) in pairs {
            let key = text(&key).ok_or_else(|| unexpected("XREADGROUP"))?;
            let index = self
                .streams
                .iter()
                .position(|s| s.key == key)
                .ok_or_else(|| unexpected("XREADGROUP"))?;
            entries.extend(parse_entries(index, items)?);
        }
        Ok(entries)
    }
}

fn unexpected(command: &str) -> TransportError {
    TransportError::new(format!("Redis sent an unexpected reply to {command}"))
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::BulkString(bytes) => Some(String::from_utf8_lossy(bytes).into_owned()),
        Value::SimpleString(text) => Some(text.clone()),
        Value::VerbatimString { text, .. } => Some(text.clone()),
        Value::Okay => Some("OK".to_owned()),
        _ => None,
    }
}

/// `[[id, [field, value, …]], …]`, as XREADGROUP and XAUTOCLAIM reply.
fn parse_entries(stream: usize, items: Value) -> Result<Vec<Entry>, TransportError> {
    let Value::Array(items) = items else {
        return Err(unexpected("a stream read"));
    };
    let mut entries = Vec::with_capacity(items.len());
    for item in items {
        let Value::Array(parts) = item else {
            return Err(unexpected("a stream read"));
        };
        let mut parts = parts.into_iter();
        let id = parts
            .next()
            .as_ref()
            .and_then(text)
            .ok_or_else(|| unexpected("a stream read"))?;
        let message = match parts.next() {
            Some(Value::Array(flat)) => {
                let mut pairs = Vec::with_capacity(flat.len() / 2);
                let mut flat = flat.into_iter();
                while let (Some(name), Some(value)) = (flat.next(), flat.next()) {
                    pairs.push((name, value));
                }
                Some(message(pairs))
            }
            Some(Value::Map(pairs)) => Some(message(pairs)),
            _ => None,
        };
        entries.push(Entry {
            stream,
            id,
            message,
        });
    }
    Ok(entries)
}

fn message(fields: Vec<(Value, Value)>) -> RawMessage {
    let mut body = Vec::new();
    let mut headers = Headers::new();
    for (name, value) in fields {
        let Some(name) = text(&name) else {
            continue;
        };
        if name == BODY {
            body = match value {
                Value::BulkString(bytes) => bytes,
                other => text(&other).map(String::into_bytes).unwrap_or_default(),
            };
        } else if let Some(header) = name.strip_prefix(HEADER) {
            if let Some(value) = text(&value) {
                headers.insert(header.to_owned(), value);
            }
        }
    }
    RawMessage { body, headers }
}

/// A delivered entry not yet settled.
struct Pending {
    shared: Arc<Shared>,
    key: String,
    id: String,
    /// Freed when settled, so the member may read another.
    _permit: Option<OwnedSemaphorePermit>,
}

impl Pending {
    async fn ack(self) -> Result<(), TransportError> {
        redis::cmd("XACK")
            .arg(&self.key)
            .arg(&self.shared.group)
            .arg(&self.id)
            .query_async::<Value>(&mut self.shared.connection.clone())
            .await
            .map(|_| ())
            .map_err(caused(format!("XACK of {} failed", self.id)))
    }

    /// Makes the entry look idle for `claim_idle`, so the next
    /// `XAUTOCLAIM` of any member takes it.
    async fn nack(self) -> Result<(), TransportError> {
        redis::cmd("XCLAIM")
            .arg(&self.key)
            .arg(&self.shared.group)
            .arg(&self.shared.consumer)
            .arg(0)
            .arg(&self.id)
            .arg("IDLE")
            .arg(millis(self.shared.claim_idle))
            .arg("JUSTID")
            .query_async::<Value>(&mut self.shared.connection.clone())
            .await
            .map(|_| ())
            .map_err(caused(format!("handing back {} failed", self.id)))
    }
}

struct RedisSettle(Option<Pending>);

#[async_trait]
impl Settle for RedisSettle {
    async fn ack(mut self: Box<Self>) -> Result<(), TransportError> {
        match self.0.take() {
            Some(pending) => pending.ack().await,
            None => Ok(()),
        }
    }

    async fn nack(mut self: Box<Self>) -> Result<(), TransportError> {
        match self.0.take() {
            Some(pending) => pending.nack().await,
            None => Ok(()),
        }
    }
}

impl Drop for RedisSettle {
    fn drop(&mut self) {
        // Hand it back now rather than after `claim_idle`, where a runtime
        // is there to send the word.
        if let (Some(pending), Ok(runtime)) = (self.0.take(), tokio::runtime::Handle::try_current())
        {
            runtime.spawn(async move {
                let _ = pending.nack().await;
            });
        }
    }
}

/// Deduplication claims in Redis: a claim is `SET <prefix><key> inflight
/// NX GET PX <in_flight>`, one atomic round trip (Redis 7.0); a completion
/// is `SET <prefix><key> done PX <keep>`; a release is `DEL`.
#[derive(Clone)]
pub struct RedisDedup {
    connection: ConnectionManager,
    prefix: String,
}

const IN_FLIGHT: &str = "inflight";
const DONE: &str = "done";

impl RedisDedup {
    /// Connects to `address`; keys are `<prefix><key>`.
    pub async fn connect(address: &str, prefix: impl Into<String>) -> Result<Self, TransportError> {
        let client = redis::Client::open(address)
            .map_err(caused(format!("`{address}` is not a Redis address")))?;
        let connection = first_manager(&client, RESPONSE_TIMEOUT).await?;
        Ok(Self::new(connection, prefix))
    }

    pub fn new(connection: ConnectionManager, prefix: impl Into<String>) -> Self {
        RedisDedup {
            connection,
            prefix: prefix.into(),
        }
    }

    /// Forgets every claim under the prefix.
    pub async fn clear(&self) -> Result<(), TransportError> {
        let pattern = format!("{}*", glob_escape(&self.prefix));
        let mut connection = self.connection.clone();
        let mut cursor = "0".to_owned();
        loop {
            let (next, keys): (String, Vec<Vec<u8>>) = redis::cmd("SCAN")
                .arg(&cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(500)
                .query_async(&mut connection)
                .await
                .map_err(caused("SCAN failed"))?;
            if !keys.is_empty() {
                redis::cmd("DEL")
                    .arg(&keys)
                    .query_async::<Value>(&mut connection)
                    .await
                    .map_err(caused("cannot delete the claims"))?;
            }
            if next == "0" {
                return Ok(());
            }
            cursor = next;
        }
    }
}

fn glob_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if "*?[]\\^-".contains(c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[async_trait]
impl Dedup for RedisDedup {
    async fn claim(&self, key: &str, in_flight: Duration) -> Result<Claim, TransportError> {
        let previous: Option<Vec<u8>> = redis::cmd("SET")
            .arg(format!("{}{key}", self.prefix))
            .arg(IN_FLIGHT)
            .arg("NX")
            .arg("GET")
            // PX 0 is an error, not an instant expiry.
            .arg("PX")
            .arg(millis(in_flight).max(1))
            .query_async(&mut self.connection.clone())
            .await
            .map_err(caused("claiming a message failed"))?;
        Ok(match previous {
            None => Claim::First,
            Some(value) if value == DONE.as_bytes() => Claim::Done,
            Some(_) => Claim::InFlight,
        })
    }

    async fn complete(&self, key: &str, keep: Duration) -> Result<(), TransportError> {
        redis::cmd("SET")
            .arg(format!("{}{key}", self.prefix))
            .arg(DONE)
            .arg("PX")
            .arg(millis(keep).max(1))
            .query_async::<Value>(&mut self.connection.clone())
            .await
            .map(|_| ())
            .map_err(caused("completing a claim failed"))
    }

    async fn release(&self, key: &str) -> Result<(), TransportError> {
        redis::cmd("DEL")
            .arg(format!("{}{key}", self.prefix))
            .query_async::<Value>(&mut self.connection.clone())
            .await
            .map(|_| ())
            .map_err(caused("releasing a claim failed"))
    }

    async fn completed(&self, keys: &[String]) -> Result<Vec<bool>, TransportError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<String> = keys.iter().map(|k| format!("{}{k}", self.prefix)).collect();
        let values: Vec<Option<Vec<u8>>> = redis::cmd("MGET")
            .arg(&keys)
            .query_async(&mut self.connection.clone())
            .await
            .map_err(caused("looking up completions failed"))?;
        Ok(values
            .iter()
            .map(|value| value.as_deref() == Some(DONE.as_bytes()))
            .collect())
    }
}
