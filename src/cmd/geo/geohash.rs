//! Redis's geohash arithmetic, bit for bit (`geohash.c`, `geohash_helper.c`): a position is
//! a 52-bit interleaving of its longitude and latitude (26 bits each, latitude limited to
//! Web Mercator's ±85.05112878°), stored as a sorted-set score; a search covers its shape
//! with the geohash box around its centre and that box's eight neighbours, at the coarsest
//! precision that still covers it, and reads each box as one range of scores.

/// Bits per coordinate: 26, so that the 52-bit hash is exact in a double.
pub const STEP_MAX: u8 = 26;
const LATITUDE_LIMIT: f64 = 85.051_128_78;
const EARTH_RADIUS_METERS: f64 = 6_372_797.560_856;
const MERCATOR_MAX: f64 = 20_037_726.37;

/// A longitude and a latitude, in degrees.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Position {
    pub longitude: f64,
    pub latitude: f64,
}

/// A range of a coordinate.
#[derive(Clone, Copy, Debug)]
struct Span {
    min: f64,
    max: f64,
}

const LONGITUDES: Span = Span {
    min: -180.0,
    max: 180.0,
};
const MERCATOR_LATITUDES: Span = Span {
    min: -LATITUDE_LIMIT,
    max: LATITUDE_LIMIT,
};
/// The standard geohash's latitudes, for GEOHASH's strings.
const STANDARD_LATITUDES: Span = Span { min: -90.0, max: 90.0 };

/// A geohash of `step` bits per coordinate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hash {
    bits: u64,
    step: u8,
}

/// The area a hash stands for.
#[derive(Clone, Copy, Debug)]
struct Area {
    longitude: Span,
    latitude: Span,
}

impl Position {
    /// A position GEOADD accepts: longitude within ±180, latitude within ±85.05112878.
    pub fn is_valid(self) -> bool {
        (-180.0..=180.0).contains(&self.longitude) && (-LATITUDE_LIMIT..=LATITUDE_LIMIT).contains(&self.latitude)
    }

    /// The 52-bit geohash GEOADD stores as this (valid) position's score.
    pub fn hash_bits(self) -> u64 {
        encode(self, LONGITUDES, MERCATOR_LATITUDES, STEP_MAX).bits
    }

    /// The position a score stands for: the centre of its 52-bit box.
    pub fn of_score(score: f64) -> Self {
        let hash = Hash {
            bits: score as u64,
            step: STEP_MAX,
        };
        let area = hash.area(MERCATOR_LATITUDES);
        Self {
            longitude: ((area.longitude.min + area.longitude.max) / 2.0).clamp(-180.0, 180.0),
            latitude: ((area.latitude.min + area.latitude.max) / 2.0).clamp(-LATITUDE_LIMIT, LATITUDE_LIMIT),
        }
    }

    /// The standard 11-character geohash of the position (GEOHASH): re-encoded with
    /// latitudes ±90, its last character always `0`, since Redis keeps 52 bits.
    pub fn geohash(self) -> String {
        const ALPHABET: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";
        let bits = encode(self, LONGITUDES, STANDARD_LATITUDES, STEP_MAX).bits;
        (0..11)
            .map(|at| match at {
                10 => '0',
                _ => char::from(ALPHABET[((bits >> (52 - (at + 1) * 5)) & 0x1f) as usize]),
            })
            .collect()
    }

    /// The great-circle distance to `other` in meters (haversine), as Redis works it out.
    pub fn distance(self, other: Self) -> f64 {
        let v = ((radians(other.longitude) - radians(self.longitude)) / 2.0).sin();
        if v == 0.0 {
            return latitude_distance(self.latitude, other.latitude);
        }
        let (lat1, lat2) = (radians(self.latitude), radians(other.latitude));
        let u = ((lat2 - lat1) / 2.0).sin();
        let a = u * u + lat1.cos() * lat2.cos() * v * v;
        2.0 * EARTH_RADIUS_METERS * a.sqrt().asin()
    }
}

/// The distance between two latitudes on one meridian.
fn latitude_distance(from: f64, to: f64) -> f64 {
    EARTH_RADIUS_METERS * (radians(to) - radians(from)).abs()
}

/// Redis's `geohashEncode`: each coordinate's offset within its span, as a fixed-point
/// number of `step` bits, interleaved with the latitude in the even bits.
fn encode(position: Position, longitudes: Span, latitudes: Span, step: u8) -> Hash {
    let scale = (1u64 << step) as f64;
    let latitude = (position.latitude - latitudes.min) / (latitudes.max - latitudes.min) * scale;
    let longitude = (position.longitude - longitudes.min) / (longitudes.max - longitudes.min) * scale;
    Hash {
        bits: spread(latitude as u32) | spread(longitude as u32) << 1,
        step,
    }
}

/// The bits of `value` moved to the even positions of a u64.
fn spread(value: u32) -> u64 {
    let mut x = u64::from(value);
    x = (x | x << 16) & 0x0000_ffff_0000_ffff;
    x = (x | x << 8) & 0x00ff_00ff_00ff_00ff;
    x = (x | x << 4) & 0x0f0f_0f0f_0f0f_0f0f;
    x = (x | x << 2) & 0x3333_3333_3333_3333;
    (x | x << 1) & 0x5555_5555_5555_5555
}

/// The even bits of `value`, packed: [`spread`] undone.
fn squash(value: u64) -> u32 {
    let mut x = value & 0x5555_5555_5555_5555;
    x = (x | x >> 1) & 0x3333_3333_3333_3333;
    x = (x | x >> 2) & 0x0f0f_0f0f_0f0f_0f0f;
    x = (x | x >> 4) & 0x00ff_00ff_00ff_00ff;
    x = (x | x >> 8) & 0x0000_ffff_0000_ffff;
    ((x | x >> 16) & 0x0000_0000_ffff_ffff) as u32
}

impl Hash {
    fn area(self, latitudes: Span) -> Area {
        let cells = (1u64 << self.step) as f64;
        let span = |index: u32, range: Span| {
            let size = range.max - range.min;
            Span {
                min: range.min + (f64::from(index) / cells) * size,
                max: range.min + ((f64::from(index) + 1.0) / cells) * size,
            }
        };
        Area {
            latitude: span(squash(self.bits), latitudes),
            longitude: span(squash(self.bits >> 1), LONGITUDES),
        }
    }

    /// The scores of the positions within this box: from its first 52-bit hash (included)
    /// to the next box's (excluded).
    pub fn scores(self) -> (f64, f64) {
        let shift = 2 * u32::from(STEP_MAX - self.step);
        ((self.bits << shift) as f64, ((self.bits + 1) << shift) as f64)
    }

    /// The box `east` steps east (negative: west) and `north` steps north.
    fn moved(self, east: i8, north: i8) -> Self {
        let width = 64 - 2 * u32::from(self.step);
        let move_bits = |bits: u64, odd: bool, by: i8| {
            let mask = if odd {
                0xaaaa_aaaa_aaaa_aaaa
            } else {
                0x5555_5555_5555_5555u64
            };
            let coordinate = bits & mask;
            if by == 0 {
                return coordinate;
            }
            // The other coordinate's bits, set, carry a step across them.
            let others = (if odd {
                0x5555_5555_5555_5555
            } else {
                0xaaaa_aaaa_aaaa_aaaa_u64
            }) >> width;
            let moved = match by > 0 {
                true => coordinate.wrapping_add(others + 1),
                false => (coordinate | others).wrapping_sub(others + 1),
            };
            moved & (mask >> width)
        };
        Self {
            bits: move_bits(self.bits, true, east) | move_bits(self.bits, false, north),
            step: self.step,
        }
    }
}

/// What a search covers around its centre: a circle, or a box, measured in a unit of
/// `meters_per_unit` meters.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    pub extent: Extent,
    pub meters_per_unit: f64,
}

#[derive(Clone, Copy, Debug)]
pub enum Extent {
    Radius(f64),
    Box { width: f64, height: f64 },
}

impl Shape {
    /// Half the shape's width and height, in meters.
    fn half_sizes(self) -> (f64, f64) {
        let unit = self.meters_per_unit;
        match self.extent {
            Extent::Radius(radius) => (unit * radius, unit * radius),
            Extent::Box { width, height } => (unit * (width / 2.0), unit * (height / 2.0)),
        }
    }

    /// Redis's `geohashBoundingBox`: the least and greatest longitude and latitude the shape
    /// reaches around `center`.
    fn bounds(self, center: Position) -> (Position, Position) {
        let (half_width, half_height) = self.half_sizes();
        let latitude_delta = degrees(half_height / EARTH_RADIUS_METERS);
        let longitude_delta = |latitude: f64| degrees(half_width / EARTH_RADIUS_METERS / radians(latitude).cos());
        // A meter spans most longitude on the edge nearer the pole.
        let longitude_delta = match center.latitude < 0.0 {
            true => longitude_delta(center.latitude - latitude_delta),
            false => longitude_delta(center.latitude + latitude_delta),
        };
        (
            Position {
                longitude: center.longitude - longitude_delta,
                latitude: center.latitude - latitude_delta,
            },
            Position {
                longitude: center.longitude + longitude_delta,
                latitude: center.latitude + latitude_delta,
            },
        )
    }

    /// The distance in meters from `center` to a point, if the point is within the shape.
    pub fn distance_if_within(self, center: Position, point: Position) -> Option<f64> {
        let unit = self.meters_per_unit;
        match self.extent {
            Extent::Radius(radius) => Some(center.distance(point)).filter(|distance| *distance <= radius * unit),
            Extent::Box { width, height } => {
                if latitude_distance(point.latitude, center.latitude) > height * unit / 2.0 {
                    return None;
                }
                let along_latitude = Position {
                    latitude: point.latitude,
                    ..center
                };
                if point.distance(along_latitude) > width * unit / 2.0 {
                    return None;
                }
                Some(center.distance(point))
            }
        }
    }

    /// Redis's `geohashCalculateAreasByShapeWGS84`: the boxes to read, in Redis's order
    /// (the centre's, then north, south, east, west, north-east, north-west, south-east,
    /// south-west), leaving out those that cannot hold a match.
    pub fn covering_boxes(self, center: Position) -> Vec<Hash> {
        let (low, high) = self.bounds(center);
        let radius = match self.extent {
            Extent::Radius(radius) => radius,
            Extent::Box { width, height } => ((width / 2.0) * (width / 2.0) + (height / 2.0) * (height / 2.0)).sqrt(),
        } * self.meters_per_unit;
        let mut step = estimate_step(radius, center.latitude);
        let mut hash = encode(center, LONGITUDES, MERCATOR_LATITUDES, step);
        let edge = |hash: Hash, east, north| hash.moved(east, north).area(MERCATOR_LATITUDES);
        // Near its box's edge, a shape may reach past the neighbours: one step coarser.
        let too_fine = edge(hash, 0, 1).latitude.max < high.latitude
            || edge(hash, 0, -1).latitude.min > low.latitude
            || edge(hash, 1, 0).longitude.max < high.longitude
            || edge(hash, -1, 0).longitude.min > low.longitude;
        if step > 1 && too_fine {
            step -= 1;
            hash = encode(center, LONGITUDES, MERCATOR_LATITUDES, step);
        }
        let area = hash.area(MERCATOR_LATITUDES);
        let useless = |east: i8, north: i8| {
            step >= 2
                && ((north < 0 && area.latitude.min < low.latitude)
                    || (north > 0 && area.latitude.max > high.latitude)
                    || (east < 0 && area.longitude.min < low.longitude)
                    || (east > 0 && area.longitude.max > high.longitude))
        };
        let around = [
            (0, 0),
            (0, 1),
            (0, -1),
            (1, 0),
            (-1, 0),
            (1, 1),
            (-1, 1),
            (1, -1),
            (-1, -1),
        ];
        let mut boxes: Vec<Hash> = Vec::with_capacity(9);
        // Huge shapes make neighbours meet: Redis skips a box equal to the last neighbour it
        // read (never comparing with the centre's).
        let mut last_neighbour = None;
        for (east, north) in around {
            let neighbour = hash.moved(east, north);
            if useless(east, north) || last_neighbour == Some(neighbour) {
                continue;
            }
            if (east, north) != (0, 0) {
                last_neighbour = Some(neighbour);
            }
            boxes.push(neighbour);
        }
        boxes
    }
}

/// Degrees to radians and back, as Redis converts them (`deg_rad`, `rad_deg`): the last bit
/// of a distance depends on it.
fn radians(degrees: f64) -> f64 {
    degrees * (std::f64::consts::PI / 180.0)
}

fn degrees(radians: f64) -> f64 {
    radians / (std::f64::consts::PI / 180.0)
}

/// Redis's `geohashEstimateStepsByRadius`: the precision whose boxes are about the radius.
fn estimate_step(radius: f64, latitude: f64) -> u8 {
    if radius == 0.0 {
        return STEP_MAX;
    }
    let (mut range, mut step) = (radius, 1i32);
    while range < MERCATOR_MAX {
        range *= 2.0;
        step += 1;
    }
    step -= 2;
    if latitude.abs() > 66.0 {
        step -= 1;
        if latitude.abs() > 80.0 {
            step -= 1;
        }
    }
    step.clamp(1, i32::from(STEP_MAX)) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreading_and_squashing_are_inverse() {
        for value in [0, 1, 0x2aa_aaaa, 0x3ff_ffff, 12_345_678] {
            assert_eq!(squash(spread(value)), value);
            assert_eq!(squash(spread(value) << 1 >> 1), value);
        }
    }

    #[test]
    fn a_neighbour_and_back_is_the_same_box() {
        let hash = encode(
            Position {
                longitude: 13.361389,
                latitude: 38.115556,
            },
            LONGITUDES,
            MERCATOR_LATITUDES,
            10,
        );
        for (east, north) in [(1, 0), (0, 1), (1, 1), (-1, 1)] {
            assert_eq!(hash.moved(east, north).moved(-east, -north), hash);
            assert_ne!(hash.moved(east, north), hash);
        }
    }
}
