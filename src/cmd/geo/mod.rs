//! Geo commands over sorted sets whose scores are Redis's 52-bit geohashes ([`geohash`]):
//! GEOADD (a ZADD), GEODIST, GEOHASH, GEOPOS, and the searches GEOSEARCH, GEOSEARCHSTORE
//! and GEORADIUS with its kin, each reading only the score ranges of the boxes that cover
//! its shape.

mod geohash;

use bytes::Bytes;

use super::args::{Args, parse_increment};
use super::zsets::ZAdd;
use super::{Command, Write, WriteCommand};
use crate::reply::{CmdError, ExecError, Reply};
use crate::store::{EventClass, Order, Range, ReadView, ScoreBound, Selection, WriteTx};
use geohash::{Extent, Position, Shape};

/// `GEOADD key [NX | XX] [CH] longitude latitude member [...]`: a ZADD of each position's
/// score, as Redis runs it.
pub struct GeoAdd;

impl GeoAdd {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<ZAdd, CmdError> {
        let key = args.key()?;
        let mut options = Vec::new();
        while let Some(word) = args.peek()
            && matches!(word.to_ascii_uppercase().as_slice(), b"NX" | b"XX" | b"CH")
        {
            options.push(args.bytes()?);
        }
        let has = |option: &[u8]| options.iter().any(|word| word.eq_ignore_ascii_case(option));
        if !args.remaining().is_multiple_of(3) || (has(b"NX") && has(b"XX")) {
            return Err(CmdError::syntax());
        }
        let mut zadd = vec![key];
        zadd.extend(options);
        while args.remaining() > 0 {
            let position = position(args)?;
            zadd.push(Bytes::from(position.hash_bits().to_string()));
            zadd.push(args.bytes()?);
        }
        ZAdd::parse(&mut Args::new("zadd", zadd, args.max_value_bytes()))
    }
}

/// A `longitude latitude` pair within the range geohashes cover.
fn position(args: &mut Args) -> Result<Position, CmdError> {
    let longitude = number(args, CmdError::not_a_float)?;
    let latitude = number(args, CmdError::not_a_float)?;
    let position = Position { longitude, latitude };
    match position.is_valid() {
        true => Ok(position),
        false => Err(CmdError::new(format!(
            "ERR invalid longitude,latitude pair {longitude:.6},{latitude:.6}"
        ))),
    }
}

/// A number as Redis reads coordinates and sizes (infinities allowed, NaN not).
fn number(args: &mut Args, invalid: impl Fn() -> CmdError) -> Result<f64, CmdError> {
    parse_increment(&args.bytes()?).ok_or_else(invalid)
}

/// A unit's size in meters.
fn unit(args: &mut Args) -> Result<f64, CmdError> {
    match args.option().as_deref() {
        Some("M") => Ok(1.0),
        Some("KM") => Ok(1000.0),
        Some("FT") => Ok(0.3048),
        Some("MI") => Ok(1609.34),
        _ => Err(CmdError::new("ERR unsupported unit provided. please use M, KM, FT, MI")),
    }
}

/// `radius unit`.
fn radius(args: &mut Args) -> Result<Shape, CmdError> {
    let radius = number(args, || CmdError::new("ERR need numeric radius"))?;
    if radius < 0.0 {
        return Err(CmdError::new("ERR radius cannot be negative"));
    }
    Ok(Shape {
        extent: Extent::Radius(radius),
        meters_per_unit: unit(args)?,
    })
}

/// `width height unit`.
fn rectangle(args: &mut Args) -> Result<Shape, CmdError> {
    let width = number(args, || CmdError::new("ERR need numeric width"))?;
    let height = number(args, || CmdError::new("ERR need numeric height"))?;
    if width < 0.0 || height < 0.0 {
        return Err(CmdError::new("ERR height or width cannot be negative"));
    }
    Ok(Shape {
        extent: Extent::Box { width, height },
        meters_per_unit: unit(args)?,
    })
}

/// A distance as Redis prints one: four decimals.
fn distance_reply(meters: f64, meters_per_unit: f64) -> Reply {
    Reply::bulk(format!("{:.4}", meters / meters_per_unit))
}

fn position_reply(position: Position) -> Reply {
    Reply::Array(vec![
        Reply::FixedDouble(position.longitude),
        Reply::FixedDouble(position.latitude),
    ])
}

/// The positions of `members` in the sorted set `key` (`None` for those missing).
async fn positions(view: &mut ReadView<'_>, key: &[u8], members: &[Bytes]) -> Result<Vec<Option<Position>>, ExecError> {
    let scores = view.zset_scores(key, members).await?;
    Ok(scores.into_iter().map(|score| score.map(Position::of_score)).collect())
}

/// `GEODIST key member1 member2 [M | KM | FT | MI]`.
#[derive(Debug)]
pub struct GeoDist {
    key: Bytes,
    members: [Bytes; 2],
    meters_per_unit: f64,
}

impl GeoDist {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let (key, first, second) = (args.key()?, args.bytes()?, args.bytes()?);
        let meters_per_unit = match args.remaining() {
            0 => 1.0,
            1 => unit(args)?,
            _ => return Err(CmdError::syntax()),
        };
        Ok(Self {
            key,
            members: [first, second],
            meters_per_unit,
        })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        Ok(match positions(view, &self.key, &self.members).await?.as_slice() {
            [Some(first), Some(second)] => distance_reply(first.distance(*second), self.meters_per_unit),
            _ => Reply::Nil,
        })
    }
}

/// `GEOPOS key [member ...]` and `GEOHASH key [member ...]`.
#[derive(Debug)]
pub struct GeoPos {
    key: Bytes,
    members: Vec<Bytes>,
    reply: PositionAs,
}

#[derive(Clone, Copy, Debug)]
pub enum PositionAs {
    Coordinates,
    Geohash,
}

impl GeoPos {
    pub(in crate::cmd) fn parse(args: &mut Args, reply: PositionAs) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            members: args.rest(),
            reply,
        })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let positions = positions(view, &self.key, &self.members).await?;
        let replies = positions.into_iter().map(|position| match (position, self.reply) {
            (Some(position), PositionAs::Coordinates) => position_reply(position),
            (Some(position), PositionAs::Geohash) => Reply::bulk(position.geohash()),
            (None, PositionAs::Coordinates) => Reply::NilArray,
            (None, PositionAs::Geohash) => Reply::Nil,
        });
        Ok(Reply::Array(replies.collect()))
    }
}

/// Which search command, for its arguments, errors and event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchCommand {
    /// `GEOSEARCH key FROMMEMBER m | FROMLONLAT lon lat BYRADIUS r unit | BYBOX w h unit ...`
    Search,
    /// `GEOSEARCHSTORE destination source ... [STOREDIST]`
    SearchStore,
    /// `GEORADIUS key lon lat radius unit ... [STORE key | STOREDIST key]`, and `_RO`.
    Radius { store_allowed: bool },
    /// `GEORADIUSBYMEMBER key member radius unit ...`, and `_RO`.
    RadiusByMember { store_allowed: bool },
}

/// Where a search stores what it found, and whether as distances or positions.
#[derive(Debug)]
struct Destination {
    key: Bytes,
    distances: bool,
}

/// A search's arguments, read.
#[derive(Debug)]
struct Query {
    center: Position,
    shape: Shape,
    order: Option<Order>,
    count: Option<u64>,
    /// ANY: stop once `count` matches are found, rather than find the nearest.
    any: bool,
    with_distance: bool,
    with_hash: bool,
    with_coordinates: bool,
    destination: Option<Destination>,
}

/// A search. Its arguments are read when it runs, as Redis's `georadiusGeneric` reads them:
/// after the key's type is checked, looking members up where it meets them, so that of
/// several faults the same one is answered.
#[derive(Debug)]
pub struct GeoSearch {
    command: SearchCommand,
    name: &'static str,
    destination: Option<Bytes>,
    source: Bytes,
    /// The arguments after the source key.
    arguments: Vec<Bytes>,
}

/// A member found within the shape.
struct Found {
    member: Bytes,
    score: f64,
    position: Position,
    meters: f64,
}

/// What a search knows of its source key when it reads its arguments: whether it exists, and
/// the positions of the members its arguments name.
struct Source {
    exists: bool,
    positions: Vec<(Bytes, Option<Position>)>,
}

impl Source {
    fn position(&self, member: &[u8]) -> Result<Position, CmdError> {
        self.positions
            .iter()
            .find(|(name, _)| name == member)
            .and_then(|(_, position)| *position)
            .ok_or_else(|| CmdError::new("ERR could not decode requested zset member"))
    }
}

impl GeoSearch {
    /// The search, a write if it stores what it finds.
    pub(in crate::cmd) fn parse(args: &mut Args, command: SearchCommand) -> Result<Command, CmdError> {
        let destination = match command {
            SearchCommand::SearchStore => Some(args.key()?),
            _ => None,
        };
        let source = args.key()?;
        let arguments = args.rest();
        let stores = match command {
            SearchCommand::SearchStore => true,
            SearchCommand::Radius { store_allowed } | SearchCommand::RadiusByMember { store_allowed } => {
                store_allowed
                    && arguments
                        .iter()
                        .any(|word| word.eq_ignore_ascii_case(b"STORE") || word.eq_ignore_ascii_case(b"STOREDIST"))
            }
            SearchCommand::Search => false,
        };
        let search = Self {
            command,
            name: args.name(),
            destination,
            source,
            arguments,
        };
        Ok(match stores {
            true => Command::Write(Write {
                command: WriteCommand::GeoSearchStore(GeoSearchStore(search)),
                keys: Vec::new(),
            }),
            false => search.into(),
        })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let (query, found) = self.find(view).await?;
        let unit = query.shape.meters_per_unit;
        let withs = [query.with_distance, query.with_hash, query.with_coordinates];
        let replies = found.into_iter().map(|found| {
            if withs == [false; 3] {
                return Reply::bulk(found.member);
            }
            let mut reply = vec![Reply::bulk(found.member)];
            if query.with_distance {
                reply.push(distance_reply(found.meters, unit));
            }
            if query.with_hash {
                reply.push(Reply::Int(found.score as i64));
            }
            if query.with_coordinates {
                reply.push(position_reply(found.position));
            }
            Reply::Array(reply)
        });
        Ok(Reply::Array(replies.collect()))
    }

    /// The query and the members it finds, in its order, at most its count (none if the
    /// source key is missing).
    async fn find(&self, view: &mut ReadView<'_>) -> Result<(Query, Vec<Found>), ExecError> {
        let exists = view.zset_len(&self.source).await? > 0;
        let mut source = Source {
            exists,
            positions: Vec::new(),
        };
        if exists {
            let named = self.named_members();
            let positions = positions(view, &self.source, &named).await?;
            source.positions = named.into_iter().zip(positions).collect();
        }
        let query = self.query(&source)?;
        if !exists {
            return Ok((query, Vec::new()));
        }
        let limit = query.count.filter(|_| query.any);
        let mut found = Vec::new();
        'boxes: for hash in query.shape.covering_boxes(query.center) {
            if limit.is_some_and(|limit| found.len() as u64 >= limit) {
                break;
            }
            let (min, max) = hash.scores();
            let range = Range::Score {
                min: ScoreBound {
                    score: min,
                    exclusive: false,
                },
                max: ScoreBound {
                    score: max,
                    exclusive: true,
                },
            };
            let selection = Selection {
                range,
                order: Order::Ascending,
                offset: 0,
                count: None,
            };
            for (member, score) in view.zset_range(&self.source, &selection).await? {
                let position = Position::of_score(score);
                if let Some(meters) = query.shape.distance_if_within(query.center, position) {
                    found.push(Found {
                        member,
                        score,
                        position,
                        meters,
                    });
                }
                if limit.is_some_and(|limit| found.len() as u64 >= limit) {
                    break 'boxes;
                }
            }
        }
        // COUNT without ANY wants the nearest: ascending unless told otherwise.
        let order = query
            .order
            .or((query.count.is_some() && !query.any).then_some(Order::Ascending));
        match order {
            Some(Order::Ascending) => found.sort_by(|a, b| a.meters.total_cmp(&b.meters)),
            Some(Order::Descending) => found.sort_by(|a, b| b.meters.total_cmp(&a.meters)),
            None => {}
        }
        found.truncate(query.count.map_or(usize::MAX, |count| count as usize));
        Ok((query, found))
    }

    /// The members the arguments may centre the search on, to look up before reading them.
    fn named_members(&self) -> Vec<Bytes> {
        match self.command {
            SearchCommand::RadiusByMember { .. } => self.arguments.first().cloned().into_iter().collect(),
            _ => self
                .arguments
                .windows(2)
                .filter(|pair| pair[0].eq_ignore_ascii_case(b"FROMMEMBER"))
                .map(|pair| pair[1].clone())
                .collect(),
        }
    }

    /// Reads the arguments as Redis's `georadiusGeneric` does, the first fault winning.
    fn query(&self, source: &Source) -> Result<Query, CmdError> {
        let args = &mut Args::new(self.name, self.arguments.clone(), usize::MAX);
        let (mut center, mut shape, store_allowed) = match self.command {
            SearchCommand::Radius { store_allowed } => (Some(position(args)?), Some(radius(args)?), store_allowed),
            // Of a missing key, Redis reads neither the member nor the radius.
            SearchCommand::RadiusByMember { store_allowed } if source.exists => {
                let center = source.position(&args.bytes()?)?;
                (Some(center), Some(radius(args)?), store_allowed)
            }
            SearchCommand::RadiusByMember { store_allowed } => {
                (0..3).try_for_each(|_| args.bytes().map(drop))?;
                (None, None, store_allowed)
            }
            SearchCommand::Search | SearchCommand::SearchStore => (None, None, false),
        };
        let searching = matches!(self.command, SearchCommand::Search | SearchCommand::SearchStore);
        let mut query = Query {
            center: Position {
                longitude: 0.0,
                latitude: 0.0,
            },
            shape: Shape {
                extent: Extent::Radius(0.0),
                meters_per_unit: 1.0,
            },
            order: None,
            count: None,
            any: false,
            with_distance: false,
            with_hash: false,
            with_coordinates: false,
            destination: self
                .destination
                .clone()
                .map(|key| Destination { key, distances: false }),
        };
        let (mut by_member, mut by_position, mut by_radius, mut by_box) = (false, false, false, false);
        while let Some(word) = args.option() {
            let left = args.remaining();
            match word.as_str() {
                "WITHDIST" => query.with_distance = true,
                "WITHHASH" => query.with_hash = true,
                "WITHCOORD" => query.with_coordinates = true,
                "ANY" => query.any = true,
                "ASC" => query.order = Some(Order::Ascending),
                "DESC" => query.order = Some(Order::Descending),
                "COUNT" if left >= 1 => {
                    let count = args.int()?;
                    if count <= 0 {
                        return Err(CmdError::new("ERR COUNT must be > 0"));
                    }
                    query.count = Some(count as u64);
                }
                "STORE" | "STOREDIST" if left >= 1 && store_allowed => {
                    query.destination = Some(Destination {
                        key: args.key()?,
                        distances: word == "STOREDIST",
                    });
                }
                "STOREDIST" if self.command == SearchCommand::SearchStore => {
                    if let Some(destination) = &mut query.destination {
                        destination.distances = true;
                    }
                }
                "FROMMEMBER" if left >= 1 && searching && !by_position => {
                    let member = args.bytes()?;
                    if source.exists {
                        center = Some(source.position(&member)?);
                    }
                    by_member = true;
                }
                "FROMLONLAT" if left >= 2 && searching && !by_member => {
                    center = Some(position(args)?);
                    by_position = true;
                }
                "BYRADIUS" if left >= 2 && searching && !by_box => {
                    shape = Some(radius(args)?);
                    by_radius = true;
                }
                "BYBOX" if left >= 3 && searching && !by_radius => {
                    shape = Some(rectangle(args)?);
                    by_box = true;
                }
                _ => return Err(CmdError::syntax()),
            }
        }
        if query.destination.is_some() && (query.with_distance || query.with_hash || query.with_coordinates) {
            let what = match self.command {
                SearchCommand::SearchStore => "GEOSEARCHSTORE",
                _ => "STORE option in GEORADIUS",
            };
            return Err(CmdError::new(format!(
                "ERR {what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
            )));
        }
        let name = self.name.to_ascii_uppercase();
        if searching && !(by_member || by_position) {
            return Err(CmdError::new(format!(
                "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for {name}"
            )));
        }
        if searching && !(by_radius || by_box) {
            return Err(CmdError::new(format!(
                "ERR exactly one of BYRADIUS and BYBOX can be specified for {name}"
            )));
        }
        if query.any && query.count.is_none() {
            return Err(CmdError::new("ERR the ANY argument requires COUNT argument"));
        }
        // A missing key's search reads no shape and finds nothing.
        query.center = center.unwrap_or(query.center);
        query.shape = shape.unwrap_or(query.shape);
        Ok(query)
    }
}

/// A search that stores what it finds: GEOSEARCHSTORE, GEORADIUS with STORE or STOREDIST.
#[derive(Debug)]
pub struct GeoSearchStore(GeoSearch);

impl GeoSearchStore {
    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let (query, found) = self.0.find(&mut tx.read(now_ms)).await?;
        let Some(Destination { key, distances }) = &query.destination else {
            // A GEORADIUS whose STORE was an operand of another option: a plain search.
            return self.0.exec(&mut tx.read(now_ms)).await;
        };
        let unit = query.shape.meters_per_unit;
        let members: Vec<(Bytes, f64)> = found
            .into_iter()
            .map(|found| match distances {
                true => (found.member, found.meters / unit),
                false => (found.member, found.score),
            })
            .collect();
        let size = tx.replace_with_zset(key, &members, now_ms).await?;
        if size > 0 {
            let event = match self.0.command {
                SearchCommand::SearchStore => "geosearchstore",
                _ => "georadiusstore",
            };
            tx.notify(EventClass::SortedSet, event, key);
        }
        Ok(Reply::count(size))
    }
}
