//! The conformance suite on the in-memory broker.

mod conformance;

use async_trait::async_trait;
use evc_transport::MemoryBroker;

struct Memory;

#[async_trait]
impl conformance::Fixture for Memory {
    type Broker = MemoryBroker;

    async fn open(&self) -> Option<MemoryBroker> {
        Some(MemoryBroker::new())
    }

    async fn close(&self, _: MemoryBroker) {}

    fn binary_mode(&self) -> bool {
        false
    }
}

conformance!(Memory);
