//! `PUBLISH` and `SPUBLISH`: a message to a channel's subscribers, from any door.

use bytes::Bytes;

use crate::broker::Broker;
use crate::cmd::args::Args;
use crate::reply::{CmdError, Reply};

/// `PUBLISH channel message` (and `SPUBLISH`, the same with one shard): how many
/// subscribers received it.
#[derive(Debug)]
pub struct Publish {
    channel: Bytes,
    message: Bytes,
}

impl Publish {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            channel: args.bytes()?,
            message: args.value()?,
        })
    }

    pub(in crate::cmd) fn exec(&self, broker: &Broker) -> Reply {
        Reply::count(broker.publish(&self.channel, &self.message))
    }
}
