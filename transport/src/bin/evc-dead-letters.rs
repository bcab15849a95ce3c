//! Lists and re-drives the dead letters of a consumer group, on any broker
//! the URL's scheme names (`nats://`, `amqp://`, `redis://`):
//!
//! ```text
//! evc-dead-letters list    --broker nats://127.0.0.1:4222 --group order-service
//! evc-dead-letters redrive --broker amqp://guest:guest@127.0.0.1:5672/%2f --group order-service --limit 10
//! ```
//!
//! Exit codes: 0 done, 1 a broker error, 2 usage.

use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use evc_transport::amqp::{AmqpBroker, AmqpConfig};
use evc_transport::dead_letter::{self, DeadLetter};
use evc_transport::nats::{NatsBroker, NatsConfig};
use evc_transport::redis::{RedisBroker, RedisConfig};
use evc_transport::{Publisher, Subscriber, TransportError};

#[derive(Parser)]
#[command(
    version,
    about = "List and re-drive the dead letters of an evc consumer group"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Shows dead letters and leaves them where they are.
    List {
        #[command(flatten)]
        target: Target,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Sends each original message back to the topic it was read from.
    Redrive {
        #[command(flatten)]
        target: Target,
    },
}

#[derive(clap::Args)]
struct Target {
    /// The broker: `nats://…`, `amqp://…` or `redis://…`.
    #[arg(long)]
    broker: String,
    /// The consumer group whose dead letters to read.
    #[arg(long)]
    group: String,
    /// At most this many letters.
    #[arg(long, default_value_t = 100)]
    limit: usize,
    /// Stop reading once no letter has arrived for this many milliseconds.
    #[arg(long, default_value_t = 2000)]
    idle_ms: u64,
    /// NATS: the subject prefix, its stream named in upper case; AMQP:
    /// the exchange; Redis: the key prefix (defaults: `evc` and `EVC`,
    /// `evc`, `evc:`).
    #[arg(long)]
    namespace: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("evc-dead-letters: cannot start: {error}");
            return ExitCode::from(1);
        }
    };
    runtime.block_on(async {
        let (target, work) = match &cli.command {
            Command::List { target, format } => (target, Work::List(*format)),
            Command::Redrive { target } => (target, Work::Redrive),
        };
        let result = match target.broker.split("://").next() {
            Some("nats") => {
                let mut config = NatsConfig::default();
                if let Some(prefix) = &target.namespace {
                    config.stream = prefix.to_uppercase().replace(|c: char| !c.is_ascii_alphanumeric(), "_");
                    config.prefix.clone_from(prefix);
                }
                match NatsBroker::connect(&target.broker, config).await {
                    Ok(broker) => run(&broker, target, work).await,
                    Err(error) => Err(error),
                }
            }
            Some("amqp" | "amqps") => {
                let mut config = AmqpConfig::default();
                if let Some(exchange) = &target.namespace {
                    config.exchange.clone_from(exchange);
                }
                match AmqpBroker::connect(&target.broker, config).await {
                    Ok(broker) => run(&broker, target, work).await,
                    Err(error) => Err(error),
                }
            }
            Some("redis" | "rediss") => {
                let mut config = RedisConfig::default();
                if let Some(prefix) = &target.namespace {
                    config.prefix.clone_from(prefix);
                }
                match RedisBroker::connect(&target.broker, config).await {
                    Ok(broker) => run(&broker, target, work).await,
                    Err(error) => Err(error),
                }
            }
            _ => {
                eprintln!(
                    "evc-dead-letters: `--broker {}` names no known broker: use nats://, amqp:// or redis://",
                    target.broker
                );
                return ExitCode::from(2);
            }
        };
        match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("evc-dead-letters: {error}");
                ExitCode::from(1)
            }
        }
    })
}

#[derive(Clone, Copy)]
enum Work {
    List(Format),
    Redrive,
}

async fn run<B: Publisher + Subscriber>(
    broker: &B,
    target: &Target,
    work: Work,
) -> Result<(), TransportError> {
    let idle = Duration::from_millis(target.idle_ms);
    match work {
        Work::List(format) => {
            let letters = dead_letter::list(broker, &target.group, target.limit, idle).await?;
            match format {
                Format::Human => print_human(&target.group, &letters),
                Format::Json => print_json(&letters),
            }
        }
        Work::Redrive => {
            let sent = dead_letter::redrive(broker, &target.group, target.limit, idle).await?;
            for letter in &sent {
                println!("re-driven to {}: {}", letter.topic, id_of(letter));
            }
            println!(
                "{} dead letters of `{}` re-driven",
                sent.len(),
                target.group
            );
        }
    }
    Ok(())
}

/// The CloudEvents id of the original, when its body is a structured envelope.
fn id_of(letter: &DeadLetter) -> String {
    serde_json::from_slice::<serde_json::Value>(&letter.original.body)
        .ok()
        .and_then(|value| value["id"].as_str().map(str::to_owned))
        .or_else(|| letter.original.header("ce-id").map(str::to_owned))
        .unwrap_or_else(|| "(no id)".to_owned())
}

fn print_human(group: &str, letters: &[DeadLetter]) {
    for letter in letters {
        let failed = if letter.subscribers.is_empty() {
            String::new()
        } else {
            format!(" (subscribers {})", letter.subscribers.join(", "))
        };
        println!(
            "{} {} from {} after {} attempt(s){failed}: {}: {}",
            letter.time,
            id_of(letter),
            letter.topic,
            letter.attempts,
            letter.reason,
            letter.message
        );
    }
    println!("{} dead letters of `{group}`", letters.len());
}

fn print_json(letters: &[DeadLetter]) {
    let list: Vec<serde_json::Value> = letters
        .iter()
        .map(|letter| {
            serde_json::json!({
                "id": id_of(letter),
                "topic": letter.topic,
                "group": letter.group,
                "reason": letter.reason,
                "message": letter.message,
                "attempts": letter.attempts,
                "time": letter.time,
                "subscribers": letter.subscribers,
                "headers": letter.original.headers,
                "body": String::from_utf8_lossy(&letter.original.body),
            })
        })
        .collect();
    println!("{}", serde_json::Value::Array(list));
}
