//! Pre-populates a benchmark database through the store API:
//! `populate DATABASE_URL KEYS [TTL_SECONDS]` writes `bench-0` .. `bench-(KEYS-1)`, each with
//! the same ~100-byte JSON value as the wrk workloads and, if given, that TTL.

use anyhow::Context;
use bytes::Bytes;
use futures_util::future::try_join_all;
use litekv::clock::{Clock, SystemClock};
use litekv::store::{Durability, IfMissing, Store, StoreOptions};

/// Writes in flight at once: enough to fill the writer's batches.
const CONCURRENCY: usize = 4096;
const VALUE: &[u8] =
    br#"{"user":"ada","plan":"pro","seats":42,"tags":["a","b"],"active":true,"note":"benchmark value 0123"}"#;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: populate DATABASE_URL KEYS [TTL_SECONDS]";
    let database_url = args.next().context(usage)?;
    let keys: usize = args.next().context(usage)?.parse().context(usage)?;
    let ttl_ms: Option<i64> = args
        .next()
        .map(|ttl| ttl.parse::<i64>().map(|seconds| seconds * 1000))
        .transpose()?;

    let store = Store::open(&StoreOptions {
        database_url,
        if_missing: IfMissing::Create,
        durability: Durability::Normal,
        read_connections: 1,
        busy_timeout: std::time::Duration::from_secs(5),
        cache_bytes: 0,
        cache_on_shared: false,
    })
    .await?;
    let now_ms = SystemClock.now_ms();
    let names: Vec<Bytes> = (0..keys).map(|index| format!("bench-{index}").into()).collect();
    for chunk in names.chunks(CONCURRENCY) {
        let writes = chunk.iter().map(|key| {
            store.set(
                key.clone(),
                Bytes::from_static(VALUE),
                ttl_ms.map(|ttl| now_ms + ttl),
                now_ms,
            )
        });
        try_join_all(writes).await?;
    }
    store.close().await;
    Ok(())
}
