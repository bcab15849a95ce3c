//! `evc-dead-letters` against the real Redis (`EVC_REDIS_URL`, default
//! `redis://127.0.0.1:6379`): a dead letter is listed, left in place, then
//! re-driven to its topic byte for byte.

use std::process::Command;
use std::time::Duration;

use evc_transport::dead_letter::{self, Cause};
use evc_transport::redis::{RedisBroker, RedisConfig};
use evc_transport::{Publisher, RawMessage, Subscriber, Subscription};
use futures::StreamExt;

fn address() -> String {
    std::env::var("EVC_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

fn cli(args: &[&str], prefix: &str) -> (Option<i32>, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_evc-dead-letters"))
        .args(args)
        .args([
            "--broker",
            &address(),
            "--namespace",
            prefix,
            "--idle-ms",
            "1000",
        ])
        .output()
        .expect("evc-dead-letters runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_then_redrives_a_dead_letter() {
    let prefix = format!("evccli:{}:", uuid_like());
    let config = RedisConfig {
        prefix: prefix.clone(),
        ..RedisConfig::default()
    };
    let broker = match RedisBroker::connect(&address(), config).await {
        Ok(broker) => broker,
        Err(error) => {
            let message = format!("Redis is unreachable at {}: {error}", address());
            assert!(
                !std::env::var("EVC_REQUIRE_BROKERS").is_ok_and(|v| v == "1"),
                "{message} (EVC_REQUIRE_BROKERS=1)"
            );
            eprintln!("\n*** SKIPPED: {message} ***\n");
            return;
        }
    };
    let original = RawMessage::new(
        br#"{"specversion":"1.0","id":"dl-7","source":"/s","type":"com.example.t.v1"}"#.to_vec(),
    )
    .with_header("x-kept", "yes");
    let cause = Cause {
        reason: "handler_failed",
        message: "the database is down".to_owned(),
        attempts: 5,
        subscribers: Vec::new(),
    };
    let letter = dead_letter::letter(&original, "com.example.t.v1", "billing", &cause);
    broker
        .publish(&dead_letter::topic("billing"), letter)
        .await
        .unwrap();
    let mut topic = broker
        .subscribe(&Subscription::new("reader", ["com.example.t.v1"]))
        .await
        .unwrap();

    let (code, stdout, stderr) = cli(&["list", "--group", "billing", "--format", "json"], &prefix);
    assert_eq!(code, Some(0), "{stderr}");
    let listed: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(listed[0]["id"], "dl-7");
    assert_eq!(listed[0]["reason"], "handler_failed");
    assert_eq!(listed[0]["attempts"], 5);
    assert_eq!(listed[0]["headers"]["x-kept"], "yes");
    let (code, stdout, _) = cli(&["list", "--group", "billing"], &prefix);
    assert_eq!(code, Some(0));
    assert!(
        stdout.contains("dl-7 from com.example.t.v1 after 5 attempt(s): handler_failed"),
        "{stdout}"
    );

    let (code, stdout, stderr) = cli(&["redrive", "--group", "billing"], &prefix);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.contains("1 dead letters of `billing` re-driven"),
        "{stdout}"
    );
    let delivery = tokio::time::timeout(Duration::from_secs(30), topic.next())
        .await
        .expect("the original arrives")
        .unwrap()
        .unwrap();
    assert_eq!(delivery.message, original);
    delivery.ack().await.unwrap();
    let (_, stdout, _) = cli(&["list", "--group", "billing"], &prefix);
    assert!(stdout.contains("0 dead letters"), "{stdout}");
    drop(topic);
    broker.delete().await.unwrap();
}

#[test]
fn an_unknown_scheme_is_a_usage_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_evc-dead-letters"))
        .args(["list", "--broker", "kafka://127.0.0.1:9092", "--group", "g"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nats://, amqp:// or redis://"));
}

fn uuid_like() -> String {
    format!(
        "{:x}{:x}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    )
}
