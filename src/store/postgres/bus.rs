//! Messages between the servers sharing the database (see `store/remote.rs`), over
//! PostgreSQL's LISTEN/NOTIFY on one channel. A message sent inside a transaction reaches the
//! others only if it commits, in commit order. Each server names itself in what it sends, and
//! passes over its own. A message too long for a notification waits in `bus_outbox`, and the
//! notification carries its id.

use sqlx::PgConnection;
use sqlx::postgres::{PgListener, PgPool};
use tokio::sync::mpsc;

use super::on_io;
use crate::store::StoreError;

/// The channel every server listens on.
const CHANNEL: &str = "litekv";
/// The longest notification sent as it is; PostgreSQL refuses one of 8,000 bytes or more.
const LONGEST_NOTIFICATION: usize = 7_900;
/// How long an outboxed message is kept for servers to read.
const OUTBOX_KEPT: &str = "10 minutes";
/// What a notification carries in place of an outboxed message, before the row's id.
const OUTBOXED: &str = "outbox";

/// What the listener heard.
#[derive(Debug)]
pub(in crate::store) enum Heard {
    /// Another server's message, as it sent it.
    Message(String),
    /// The listening connection was lost and made again: messages sent meanwhile were lost.
    Reconnected,
}

/// This server's name on the bus: random, new at each start.
pub(super) fn new_origin() -> String {
    format!("{:016x}", fastrand::u64(..))
}

/// Sends `message` from `origin` on `conn`: inside its transaction, if one is open.
pub(super) async fn send(conn: &mut PgConnection, origin: &str, message: &str) -> Result<(), StoreError> {
    let mut text = format!("{origin} {message}");
    if text.len() > LONGEST_NOTIFICATION {
        let id: i64 = sqlx::query_scalar("insert into bus_outbox (message) values ($1) returning id")
            .bind(&text)
            .fetch_one(&mut *conn)
            .await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "delete from bus_outbox where sent_at < now() - interval '{OUTBOX_KEPT}'"
        )))
        .execute(&mut *conn)
        .await?;
        text = format!("{origin} {OUTBOXED} {id}");
    }
    sqlx::query("select pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(&text)
        .execute(conn)
        .await?;
    Ok(())
}

/// Starts listening, on a connection of its own (`listening`, a pool of one that sqlx
/// reconnects), and hands other servers' messages over, in order. Outboxed messages are read
/// through `pool`. Ends once the receiver is dropped.
pub(super) async fn listen(
    listening: PgPool,
    pool: PgPool,
    origin: String,
) -> Result<mpsc::UnboundedReceiver<Heard>, StoreError> {
    on_io(async move {
        let mut listener = PgListener::connect_with(&listening).await?;
        listener.listen(CHANNEL).await?;
        let (heard, hearing) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            loop {
                let next = match listener.try_recv().await {
                    Ok(Some(notification)) => match heard_message(&pool, &origin, notification.payload()).await {
                        Some(message) => Heard::Message(message),
                        None => continue,
                    },
                    Ok(None) => Heard::Reconnected,
                    Err(error) => {
                        tracing::warn!(error = ?error, "listening to the other servers failed; trying again in 1 s");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                        continue;
                    }
                };
                if heard.send(next).is_err() {
                    break;
                }
            }
        });
        Ok(hearing)
    })
    .await
}

/// The message a notification carries, read from the outbox if it was put there; `None` for
/// this server's own, or one no longer in the outbox.
async fn heard_message(pool: &PgPool, origin: &str, payload: &str) -> Option<String> {
    let (sender, message) = payload.split_once(' ')?;
    if sender == origin {
        return None;
    }
    let Some(id) = message
        .strip_prefix(OUTBOXED)
        .and_then(|id| id.trim().parse::<i64>().ok())
    else {
        return Some(message.to_owned());
    };
    let text: Option<String> = sqlx::query_scalar("select message from bus_outbox where id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
        .inspect_err(|error| tracing::warn!(error = ?error, "reading a message from the outbox failed"))
        .ok()?;
    let text = text?;
    let (_, message) = text.split_once(' ')?;
    Some(message.to_owned())
}
