//! Geo commands over sorted sets. Each table's replies are what Redis 7.0.15 answered to the
//! same commands, run in the same order (the examples of Redis's documentation, then edges).

use litekv::reply::Reply;

use crate::helpers::{SYNTAX, TestEngine, WRONGTYPE, arity, bulk, bulks, err, int, nil, ok};

fn array(items: Vec<Reply>) -> Reply {
    Reply::Array(items)
}

fn coordinates(longitude: &str, latitude: &str) -> Reply {
    bulks(&[longitude, latitude])
}

const PALERMO: [&str; 2] = ["13.36138933897018433", "38.11555639549629859"];
const CATANIA: [&str; 2] = ["15.08726745843887329", "37.50266842333162032"];

#[tokio::test]
async fn positions_are_stored_as_redis_s_geohash_scores() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (
                &[
                    "GEOADD",
                    "Sicily",
                    "13.361389",
                    "38.115556",
                    "Palermo",
                    "15.087269",
                    "37.502669",
                    "Catania",
                ],
                int(2),
            ),
            (
                &["ZRANGE", "Sicily", "0", "-1", "WITHSCORES"],
                bulks(&["Palermo", "3479099956230698", "Catania", "3479447370796909"]),
            ),
            (&["TYPE", "Sicily"], Reply::status("zset")),
            (&["GEODIST", "Sicily", "Palermo", "Catania"], bulk("166274.1516")),
            (&["GEODIST", "Sicily", "Palermo", "Catania", "km"], bulk("166.2742")),
            (&["GEODIST", "Sicily", "Palermo", "Catania", "MI"], bulk("103.3182")),
            (&["GEODIST", "Sicily", "Palermo", "Catania", "ft"], bulk("545518.8700")),
            (&["GEODIST", "Sicily", "Palermo", "Nowhere"], nil()),
            (&["GEODIST", "Nothing", "Palermo", "Catania"], nil()),
            (
                &["GEODIST", "Sicily", "Palermo", "Catania", "yards"],
                err("ERR unsupported unit provided. please use M, KM, FT, MI"),
            ),
            (&["GEODIST", "Sicily", "Palermo", "Catania", "km", "extra"], err(SYNTAX)),
            (
                &["GEOPOS", "Sicily", "Palermo", "Catania", "Nowhere"],
                array(vec![
                    coordinates(PALERMO[0], PALERMO[1]),
                    coordinates(CATANIA[0], CATANIA[1]),
                    Reply::NilArray,
                ]),
            ),
            (&["GEOPOS", "Nothing", "a"], array(vec![Reply::NilArray])),
            (
                &["GEOHASH", "Sicily", "Palermo", "Catania", "Nowhere"],
                array(vec![bulk("sqc8b49rny0"), bulk("sqdtr74hyu0"), nil()]),
            ),
            // GEOADD is ZADD with NX, XX and CH.
            (&["GEOADD", "Sicily", "13.583333", "37.316667", "Agrigento"], int(1)),
            (
                &[
                    "GEOADD",
                    "Sicily",
                    "NX",
                    "CH",
                    "13.583333",
                    "38.316667",
                    "Agrigento",
                    "12",
                    "37",
                    "new",
                ],
                int(1),
            ),
            (
                &[
                    "GEOADD",
                    "Sicily",
                    "XX",
                    "CH",
                    "13.583333",
                    "38.316667",
                    "Agrigento",
                    "12",
                    "37",
                    "other",
                ],
                int(1),
            ),
            (&["GEOADD", "Sicily", "NX", "XX", "1", "1", "a"], err(SYNTAX)),
            (&["GEOADD", "Sicily", "GT", "1", "1", "a"], err(SYNTAX)),
            (&["GEOADD", "Sicily", "1", "1"], arity("geoadd")),
            (
                &["GEOADD", "Sicily", "200", "10", "bad"],
                err("ERR invalid longitude,latitude pair 200.000000,10.000000"),
            ),
            (
                &["GEOADD", "Sicily", "10", "86", "bad"],
                err("ERR invalid longitude,latitude pair 10.000000,86.000000"),
            ),
            (
                &["GEOADD", "Sicily", "x", "10", "bad"],
                err("ERR value is not a valid float"),
            ),
            (&["SET", "string", "x"], ok()),
            (&["GEOADD", "string", "1", "1", "a"], err(WRONGTYPE)),
            (&["GEOPOS", "string", "a"], err(WRONGTYPE)),
            (&["GEODIST", "string", "a", "b"], err(WRONGTYPE)),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn searches_find_what_redis_finds_in_its_order() {
    let engine = TestEngine::new().await;
    let agrigento = ["13.5833314061164856", "38.31666624172056856"];
    engine
        .expect(&[
            (
                &[
                    "GEOADD",
                    "Sicily",
                    "13.361389",
                    "38.115556",
                    "Palermo",
                    "15.087269",
                    "37.502669",
                    "Catania",
                ],
                int(2),
            ),
            (&["GEOADD", "Sicily", "13.583333", "38.316667", "Agrigento"], int(1)),
            (
                &["GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHDIST"],
                array(vec![
                    bulks(&["Palermo", "190.4424"]),
                    bulks(&["Agrigento", "192.3689"]),
                    bulks(&["Catania", "56.4413"]),
                ]),
            ),
            (
                &[
                    "GEORADIUS",
                    "Sicily",
                    "15",
                    "37",
                    "200",
                    "km",
                    "WITHDIST",
                    "WITHCOORD",
                    "WITHHASH",
                    "ASC",
                    "COUNT",
                    "1",
                ],
                array(vec![array(vec![
                    bulk("Catania"),
                    bulk("56.4413"),
                    int(3479447370796909),
                    coordinates(CATANIA[0], CATANIA[1]),
                ])]),
            ),
            (
                &["GEORADIUS", "Sicily", "15", "37", "200", "km", "DESC", "COUNT", "2"],
                bulks(&["Agrigento", "Palermo"]),
            ),
            (
                &["GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "1", "ANY"],
                bulks(&["Palermo"]),
            ),
            (
                &["GEORADIUS", "Sicily", "15", "37", "200", "km", "ANY"],
                err("ERR the ANY argument requires COUNT argument"),
            ),
            (
                &["GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "0"],
                err("ERR COUNT must be > 0"),
            ),
            (
                &["GEORADIUS", "Sicily", "15", "37", "-1", "km"],
                err("ERR radius cannot be negative"),
            ),
            (
                &["GEORADIUS", "Sicily", "15", "37", "x", "km"],
                err("ERR need numeric radius"),
            ),
            (
                &["GEORADIUS", "Sicily", "15", "37", "10", "parsec"],
                err("ERR unsupported unit provided. please use M, KM, FT, MI"),
            ),
            (
                &["GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "near"],
                int(3),
            ),
            (
                &["ZRANGE", "near", "0", "-1", "WITHSCORES"],
                bulks(&[
                    "Palermo",
                    "3479099956230698",
                    "Agrigento",
                    "3479115915806324",
                    "Catania",
                    "3479447370796909",
                ]),
            ),
            (
                &["GEORADIUS", "Sicily", "15", "37", "200", "km", "STOREDIST", "distances"],
                int(3),
            ),
            (&["ZSCORE", "distances", "Palermo"], bulk("190.44242984775784")),
            (
                &[
                    "GEORADIUS",
                    "Sicily",
                    "15",
                    "37",
                    "200",
                    "km",
                    "STORE",
                    "near",
                    "WITHDIST",
                ],
                err("ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options"),
            ),
            (
                &["GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "STORE", "near"],
                err(SYNTAX),
            ),
            (
                &["GEORADIUSBYMEMBER", "Sicily", "Agrigento", "100", "km"],
                bulks(&["Palermo", "Agrigento"]),
            ),
            (
                &["GEORADIUSBYMEMBER", "Sicily", "Nowhere", "100", "km"],
                err("ERR could not decode requested zset member"),
            ),
            // Of a missing key, Redis reads neither the member nor the radius.
            (
                &["GEORADIUSBYMEMBER", "Nothing", "Nowhere", "-1", "parsec"],
                array(vec![]),
            ),
            (
                &[
                    "GEOSEARCH",
                    "Sicily",
                    "FROMLONLAT",
                    "15",
                    "37",
                    "BYRADIUS",
                    "200",
                    "km",
                    "ASC",
                ],
                bulks(&["Catania", "Palermo", "Agrigento"]),
            ),
            (
                &[
                    "GEOSEARCH",
                    "Sicily",
                    "FROMMEMBER",
                    "Palermo",
                    "BYBOX",
                    "400",
                    "400",
                    "km",
                    "ASC",
                    "WITHCOORD",
                ],
                array(vec![
                    array(vec![bulk("Palermo"), coordinates(PALERMO[0], PALERMO[1])]),
                    array(vec![bulk("Agrigento"), coordinates(agrigento[0], agrigento[1])]),
                    array(vec![bulk("Catania"), coordinates(CATANIA[0], CATANIA[1])]),
                ]),
            ),
            (
                &[
                    "GEOSEARCH",
                    "Sicily",
                    "FROMLONLAT",
                    "15",
                    "37",
                    "BYBOX",
                    "400",
                    "400",
                    "km",
                    "DESC",
                    "COUNT",
                    "1",
                ],
                bulks(&["Agrigento"]),
            ),
            (
                &[
                    "GEOSEARCH",
                    "Sicily",
                    "FROMMEMBER",
                    "Palermo",
                    "FROMLONLAT",
                    "15",
                    "37",
                    "BYRADIUS",
                    "1",
                    "km",
                ],
                err(SYNTAX),
            ),
            (
                &[
                    "GEOSEARCH",
                    "Sicily",
                    "FROMLONLAT",
                    "15",
                    "37",
                    "BYRADIUS",
                    "10",
                    "km",
                    "STORE",
                    "x",
                ],
                err(SYNTAX),
            ),
            (
                &["GEOSEARCH", "Sicily", "WITHDIST", "ASC", "BYRADIUS", "10", "km"],
                err("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GEOSEARCH"),
            ),
            (
                &["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "WITHDIST", "ASC"],
                err("ERR exactly one of BYRADIUS and BYBOX can be specified for GEOSEARCH"),
            ),
            (
                &[
                    "GEOSEARCH",
                    "Sicily",
                    "FROMLONLAT",
                    "15",
                    "37",
                    "BYBOX",
                    "-1",
                    "1",
                    "km",
                ],
                err("ERR height or width cannot be negative"),
            ),
            (
                &["GEOSEARCH", "Nothing", "FROMMEMBER", "Nowhere", "BYRADIUS", "10", "km"],
                array(vec![]),
            ),
            (
                &[
                    "GEOSEARCHSTORE",
                    "stored",
                    "Sicily",
                    "FROMLONLAT",
                    "15",
                    "37",
                    "BYRADIUS",
                    "200",
                    "km",
                    "STOREDIST",
                ],
                int(3),
            ),
            // The same double as Redis's 56.441257870158204, in litekv's shortest form.
            (&["ZSCORE", "stored", "Catania"], bulk("56.4412578701582")),
            (
                &[
                    "GEOSEARCHSTORE",
                    "stored",
                    "Sicily",
                    "FROMLONLAT",
                    "15",
                    "37",
                    "BYRADIUS",
                    "200",
                    "km",
                    "WITHDIST",
                ],
                err("ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options"),
            ),
            (
                &[
                    "GEOSEARCHSTORE",
                    "stored",
                    "Nothing",
                    "FROMLONLAT",
                    "15",
                    "37",
                    "BYRADIUS",
                    "200",
                    "km",
                ],
                int(0),
            ),
            (&["EXISTS", "stored"], int(0)),
            (&["SET", "string", "x"], ok()),
            (
                &["GEOSEARCH", "string", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"],
                err(WRONGTYPE),
            ),
            // The key's type is checked before the arguments, as in Redis.
            (
                &["GEOSEARCH", "string", "FROMLONLAT", "15", "37", "BYRADIUS", "x", "km"],
                err(WRONGTYPE),
            ),
        ])
        .await;
    engine.close().await;
}
